"""Runners decide when and where pipeline steps run; they never contain the steps."""
