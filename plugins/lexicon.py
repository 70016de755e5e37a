"""Word lists shared by the built-in detectors (plain data: no logic, no imports)."""

#: People (and groups of people) who can be harmed or deployed, plural and singular.
PERSON_PLURAL = frozenset(
    """people persons civilians residents villagers soldiers troops servicemen servicemembers militants fighters
    insurgents rebels terrorists gunmen attackers assailants protesters protestors demonstrators students children
    kids boys girls men women adults infants babies toddlers teenagers youths police policemen policewomen officers
    officials workers miners passengers pilgrims worshippers worshipers mourners guests members personnel guards
    hostages prisoners inmates detainees migrants refugees others victims patients doctors nurses journalists
    reporters farmers fishermen tourists crew sailors marines commandos paratroopers recruits cadets seafarers
    shoppers spectators fans pedestrians motorists drivers bystanders citizens nationals locals family relatives
    jihadists extremists combatants guerrillas guerillas separatists loyalists supporters agents troopers
    peacekeepers firefighters rescuers volunteers employees staff teachers pupils schoolchildren individuals
    shiites sunnis christians muslims hindus bombers militiamen paramilitaries policemen constables fighters
    forces marchers rioters voters onlookers commuters campers hikers climbers travellers travelers worshipers
    family_members colleagues clerics priests monks nuns elders pupils labourers laborers herders
    passers-by passersby friends neighbours neighbors shopkeepers traders vendors porters devotees jawans cadres
    worshipers pilgrims customers diners sfs ultras dissidents sicarios riflemen hitmen
    siblings brothers sisters sons daughters husbands wives parents cousins nephews nieces grandchildren
    peasants campesinos tribesmen jesuits lawyers judges mayors councillors councilors politicians candidates leaders
    activists bodyguards kidnappers smugglers traffickers gangsters convicts sympathizers sympathisers collaborators
    informants deputies engineers technicians businessmen contractors truckers settlers landowners ranchers
    americans salvadorans colombians peruvians guatemalans hondurans nicaraguans mexicans venezuelans cubans
    bolivians chileans ecuadorians israelis palestinians iraqis iranians afghans pakistanis indians syrians lebanese
    kurds turks russians chechens ukrainians somalis nigerians kenyans sudanese yemenis saudis egyptians libyans
    britons germans chinese japanese koreans vietnamese filipinos indonesians tamils sinhalese hutus tutsis serbs
    croats bosnians albanians sikhs shias""".split()
)
PERSON_SINGULAR = frozenset(
    """person civilian resident villager soldier serviceman servicemember militant fighter insurgent rebel terrorist
    gunman attacker assailant protester protestor demonstrator student child kid boy girl man woman adult infant
    baby toddler teenager youth policeman policewoman officer official worker miner passenger pilgrim worshipper
    mourner guest member guard hostage prisoner inmate detainee migrant refugee victim patient doctor nurse
    journalist reporter farmer fisherman tourist sailor marine commando paratrooper recruit cadet shopper spectator
    pedestrian motorist driver bystander citizen national local relative jihadist extremist combatant guerrilla
    separatist supporter agent trooper peacekeeper firefighter rescuer volunteer employee teacher pupil
    individual bomber militiaman constable colleague cleric priest monk nun elder labourer laborer herder
    commander general colonel captain lieutenant sergeant major chief leader blogger activist photographer
    cameraman syrian iraqi afghan palestinian israeli ukrainian russian american briton
    passer-by passerby friend neighbour neighbor shopkeeper trader vendor porter devotee jawan cadre ultra
    dissident sicario rifleman hitman
    sibling brother sister son daughter husband wife father mother parent cousin uncle aunt nephew niece
    grandson granddaughter grandfather grandmother
    peasant campesino tribesman jesuit lawyer judge mayor councillor councilor politician candidate bodyguard
    kidnapper smuggler trafficker gangster convict sympathizer collaborator informant deputy engineer technician
    businessman contractor trucker settler landowner rancher salvadoran colombian peruvian guatemalan honduran
    nicaraguan mexican venezuelan cuban iranian pakistani indian lebanese kurd turk chechen somali nigerian kenyan
    yemeni saudi egyptian libyan german tamil sikh
    kashmiri bangladeshi nepali lankan burmese rohingya baloch pashtun hazara uighur uyghur tibetan thai filipino
    indonesian malaysian chinese japanese korean georgian armenian azerbaijani kazakh uzbek tajik serb croat bosnian
    albanian kosovar jordanian tunisian algerian moroccan sudanese eritrean ethiopian tigrayan malian
    chadian nigerien congolese rwandan burundian ugandan zimbabwean mozambican angolan cameroonian yazidi druze
    arab australian canadian italian belgian belarusian
    haitian brazilian bolivian ecuadorian chilean argentine argentinian""".split()
)
ANIMALS = frozenset(
    """goats goat cattle cows cow sheep dogs dog camels camel birds bird horses horse livestock animals animal
    pigs pig chickens poultry donkeys elephants elephant whales dolphins fish""".split()
)
#: Nouns that, right after a number, show the number counts things rather than people.
NON_PERSON = frozenset(
    """rockets rocket missiles missile shells shell mortars bombs bomb drones drone homes home houses house
    buildings building shops vehicles vehicle cars car trucks tanks tank aircraft planes jets helicopters
    ships boats points point percent per cent km kilometres kilometers miles metres meters feet years year
    months month weeks week days day hours hour minutes minute seconds times dollars euros pounds rupees yuan
    million billion tonnes tons kg acres hectares villages towns cities districts provinces countries nations
    states attacks attack incidents cases strikes airstrikes raids bullets rounds grenades mines ieds schools
    hospitals mosques churches amendments votes seats companies firms servers stores branches flights
    trains bridges roads rounds barrels sites bases posts positions checkpoints weapons guns rifles pistols
    kilograms grams litres liters doses tests votes shots""".split()
)
