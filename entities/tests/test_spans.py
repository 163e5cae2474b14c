"""Spans repaired against the article's text, and credit lines kept away from NER (no database)."""

import re

import pytest

from entities.extraction.clustering import cluster_article
from entities.extraction.credits import mask_credits
from entities.extraction.ner import RawMention
from entities.extraction.spans import is_acronym_of


def _at(text: str, surface: str, kind: str | None, nth: int = 0, field: str = "body_text") -> RawMention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return RawMention(field, start, start + len(surface), surface, kind, "X")


def _entities(
    text: str, *spans: tuple[str, str | None] | tuple[str, str | None, int]
) -> dict[str, tuple[str, set[str]]]:
    mentions = [_at(text, *span) for span in spans]
    clusters = cluster_article(mentions, {"body_text": text})
    for cluster in clusters:
        for mention in cluster.mentions:
            assert text[mention.start : mention.end] == mention.text  # still a slice of the text
    return {c.name: (c.kind, c.forms) for c in clusters}


def test_determiners_and_prepositions_at_the_start_of_a_span_are_dropped():
    text = "Il vit en Floride depuis la chute de l'URSS. Selon the Syrian Democratic Forces, de France et of Gdańsk."
    found = _entities(
        text,
        ("en Floride", "place"),
        ("the Syrian Democratic Forces", "organisation"),
        ("de France", "place"),
        ("of Gdańsk", "place"),
    )
    assert set(found) == {"Floride", "Syrian Democratic Forces", "France", "Gdańsk"}


def test_a_capitalised_article_inside_a_sentence_belongs_to_the_name():
    text = "Selon Le Monde, La Poste ferme. Le Monde l'a écrit."
    found = _entities(text, ("Le Monde", "organisation"), ("La Poste", "organisation"), ("Le Monde", "organisation", 1))
    assert set(found) == {"Le Monde", "La Poste"}


def test_a_possessive_place_name_stays_one_place():
    text = "Sergeant Ratana, from Hawke's Bay, New Zealand, served in Auckland. Trump's aides left."
    found = _entities(text, ("Hawke", "person"), ("Bay,", "place"), ("New Zealand", "place"), ("Trump's", "person"))
    assert found["Hawke's Bay"][0] == "place"
    assert "Hawke" not in found and "Trump" in found


def test_a_quoted_nickname_a_rank_and_the_surname_alone_are_one_person():
    text = (
        'Police sergeant Matiu "Matt" Ratana was shot. Sergeant Ratana was airlifted. '
        "Ratana, 54, died. Louis De Zoysa was arrested; De Zoysa is in hospital."
    )
    found = _entities(
        text,
        ('Matiu "Matt', "person"),
        ("Sergeant Ratana", "person"),
        ("Ratana", "person", 2),
        ("Louis De Zoysa", "person"),
        ("De Zoysa", "person", 1),
    )
    assert set(found) == {"Matt Ratana", "Louis De Zoysa"}
    assert {"Matt Ratana", "Matiu Ratana", "Ratana"} <= found["Matt Ratana"][1]


def test_middle_names_initials_and_first_names_resolve_to_the_full_name():
    text = "Richard K. Guy taught in Calgary. Richard Guy said so; Guy smiled and Richard left."
    found = _entities(
        text, ("Richard K. Guy", "person"), ("Richard Guy", "person"), ("Guy", "person", 2), ("Richard", "person", 2)
    )
    assert list(found) == ["Calgary", "Richard K. Guy"]  # one person; the city is read from the gazetteer


@pytest.mark.parametrize(
    ("text", "spans", "name", "acronym"),
    [
        (
            "L'organisation Etat islamique (EI) recule. L'EI a perdu Mossoul.",
            [("Etat islamique", "organisation"), ("EI", "organisation", 1)],
            "Etat islamique",
            "EI",
        ),
        (
            "WWE (World Wrestling Entertainment) signed him. WWE said so.",
            [("WWE", "organisation"), ("WWE", "organisation", 1)],
            "World Wrestling Entertainment",
            "WWE",
        ),
        (
            "The National Hurricane Center (NHC) warned. The NHC said.",
            [("National Hurricane Center (NHC", "organisation"), ("NHC", "organisation", 1)],
            "National Hurricane Center",
            "NHC",
        ),
    ],
)
def test_an_acronym_beside_its_expansion_is_one_entity(text, spans, name, acronym):
    found = _entities(text, *spans)
    assert list(found) == [name]
    assert acronym in found[name][1]


def test_acronyms_must_fit_their_expansion():
    assert is_acronym_of("OTAN", "Organisation du traité de l'Atlantique nord")
    assert is_acronym_of("USCIRF", "United States Commission on International Religious Freedom")
    assert not is_acronym_of("BBC", "Islamic State")
    assert not is_acronym_of("Daesh", "Etat islamique")


def test_head_words_type_names_and_places_listed_in_one_span_are_split():
    text = "At the Al Noor Mosque, Ben Franklin Technology Partners served in Auckland, New Zealand."
    found = _entities(
        text,
        ("the Al Noor Mosque", "organisation"),
        ("Ben Franklin Technology Partners", "person"),
        ("Auckland, New Zealand", "organisation"),
    )
    assert found["Al Noor Mosque"][0] == "place"
    assert found["Ben Franklin Technology Partners"][0] == "organisation"
    assert found["Auckland"][0] == "place" and found["New Zealand"][0] == "place"


def test_non_entities_and_nationalities_are_dropped_but_a_country_named_like_its_people_is_kept():
    text = "At 0100 UTC, COVID-19 and the Welsh Russes Americans met New Zealand."
    found = _entities(
        text,
        ("UTC", "organisation"),
        ("COVID-19", "organisation"),
        ("Welsh", "person"),
        ("Russes", "place"),
        ("Americans", "organisation"),
        ("New Zealand", "place"),
    )
    assert set(found) == {"New Zealand"}


def test_one_name_gets_one_type_in_an_article_by_votes():
    text = "Twitter said. Later Twitter added and Twitter banned him; Polak spoke. Wojciech Polak left."
    found = _entities(
        text,
        ("Twitter", "person"),
        ("Twitter", "organisation", 1),
        ("Twitter", "organisation", 2),
        ("Polak", "person"),
        ("Wojciech Polak", "organisation"),
    )
    assert found == {
        "Twitter": ("organisation", {"Twitter"}),
        "Wojciech Polak": ("person", {"Polak", "Wojciech Polak"}),
    }


@pytest.mark.parametrize(
    ("caption", "kept"),
    [
        (
            "Mette Frederiksen in Copenhagen - Mads Claus Rasmussen, Ritzau Scanpix/AFP",
            "Mette Frederiksen in Copenhagen",
        ),
        (
            "James Mattis à Washington le 26 avril 2017 - MANDEL NGAN, AFP/Archives",
            "James Mattis à Washington le 26 avril 2017",
        ),
        ("Jo JorgensenImage: Jo Jorgensen for President.", "Jo Jorgensen"),
        ("The minister. Credit: Bob Smith", "The minister."),
    ],
)
def test_credit_lines_are_blanked_before_ner_and_offsets_are_kept(caption, kept):
    masked = mask_credits(caption, caption=True)
    assert len(masked) == len(caption)
    assert masked.rstrip() == kept


def test_a_dash_in_prose_is_not_a_credit_line():
    prose = "He said - as AP reported - that the ratio was 1/2."
    assert mask_credits(prose) == prose


def test_a_surname_shared_by_two_people_goes_to_the_one_introduced_first():
    text = "Donald Trump spoke. Melania Trump smiled. Trump left."
    found = _entities(text, ("Donald Trump", "person"), ("Melania Trump", "person"), ("Trump", "person", 2))
    assert found["Donald Trump"][1] == {"Donald Trump", "Trump"}
    assert found["Melania Trump"][1] == {"Melania Trump"}


def test_a_short_form_of_one_organisation_joins_it_but_not_when_two_could_be_meant():
    text = "The House of Representatives voted; the House adjourned. The Supreme Court and the High Court met; the Court rose."
    found = _entities(
        text,
        ("House of Representatives", "organisation"),
        ("House", "organisation", 1),
        ("Supreme Court", "organisation"),
        ("High Court", "organisation"),
        ("Court", "organisation", 2),
    )
    assert found["House of Representatives"][1] == {"House of Representatives", "House"}
    assert "Court" in found


def test_events_awards_and_laws_are_not_entities_and_names_joined_by_a_slash_are_two():
    text = "He won the Nemmers Prize before Hurricane Dorian; the Voting Rights Act passed. Red Hat/IBM agreed."
    found = _entities(
        text,
        ("the Nemmers Prize", "organisation"),
        ("Hurricane Dorian", "organisation"),
        ("the Voting Rights Act", "organisation"),
        ("Red Hat/IBM", "organisation"),
    )
    assert set(found) == {"Red Hat", "IBM"}


def test_a_given_name_makes_a_persons_name_of_what_the_model_called_an_organisation():
    text = "Wojciech Polak, the primate, spoke; the Hope Foundation did not."
    found = _entities(text, ("Wojciech Polak", "organisation"), ("Hope Foundation", "organisation"))
    assert found["Wojciech Polak"][0] == "person"
    assert found["Hope Foundation"][0] == "organisation"


def test_the_english_the_is_not_part_of_a_name_inside_a_sentence():
    text = "It was reported by The New York Times and Le Monde."
    found = _entities(text, ("The New York Times", "organisation"), ("Le Monde", "organisation"))
    assert set(found) == {"New York Times", "Le Monde"}


def test_interview_speaker_initials_are_blanked_before_ner_but_a_named_speaker_is_kept():
    text = "((WN)) Why?\n\n((Akram Pasha)) Because.\nNG: One.\nNG: Two.\nUN: Three."
    masked = mask_credits(text)
    assert len(masked) == len(text)
    assert "WN" not in masked and "NG" not in masked
    assert "((Akram Pasha))" in masked and "UN: Three." in masked  # a name; a label seen once


def test_storms_works_and_ships_the_text_introduces_by_what_they_are_are_not_entities():
    text = (
        "Tropical Storm Humberto grew. Humberto hit Bermuda. Un typhon, Damrey, menace Shanghai. "
        "Il jouait dans la série Julie Lescaut. Le ferry Napoléon Bonaparte a coulé à Marseille. "
        "USS Grayback was found; Grayback sank."
    )
    found = _entities(
        text,
        ("Humberto", "person", 1),
        ("Bermuda", "place"),
        ("Damrey", "person"),
        ("Shanghai", "place"),
        ("Julie Lescaut", "person"),
        ("Napoléon Bonaparte", "person"),
        ("Marseille", "place"),
        ("USS Grayback", "organisation"),
        ("Grayback", "person", 1),
    )
    assert set(found) == {"Bermuda", "Shanghai", "Marseille"}


def test_a_name_after_an_abbreviated_honorific_is_a_persons():
    text = "Selon M.Houdré, Mme Lagarde et Mr Smith sont venus."
    found = _entities(text, ("M.Houdré", "organisation"), ("Lagarde", "place"), ("Smith", "organisation"))
    assert {name: kind for name, (kind, _forms) in found.items()} == {
        "Houdré": "person",
        "Lagarde": "person",
        "Smith": "person",
    }


def test_universities_are_organisations_and_lanes_mines_and_reservations_places():
    text = "Howard University, l'université de Caen, Wellhouse Lane, Acland Mine, Wind River Reservation."
    found = _entities(
        text,
        ("Howard University", "person"),
        ("université de Caen", "place"),
        ("Wellhouse Lane", "person"),
        ("Acland Mine", "organisation"),
        ("Wind River Reservation", "organisation"),
    )
    assert {name: kind for name, (kind, _forms) in found.items()} == {
        "Howard University": "organisation",
        "université de Caen": "organisation",
        "Wellhouse Lane": "place",
        "Acland Mine": "place",
        "Wind River Reservation": "place",
    }


def test_places_listed_with_in_are_split_and_the_preposition_is_no_part_of_either():
    text = "He fell ill in Omsk in Siberia, then prayed at Cahors Cathedral in Cahors."
    found = _entities(text, ("Omsk in Siberia", "organisation"), ("Cahors Cathedral in Cahors", "organisation"))
    assert {name: kind for name, (kind, _forms) in found.items()} == {
        "Omsk": "place",
        "Siberia": "place",
        "Cahors Cathedral": "place",
        "Cahors": "place",
    }


def test_a_title_s_portfolio_the_planets_and_common_words_at_a_sentence_start_are_not_entities():
    text = (
        "Le président de la République et le ministre du Redressement productif ont vu Neptune. "
        "Lockdown began in March; the lockdown ended. Ashodaya helps. Members of Ashodaya met."
    )
    found = _entities(
        text,
        ("président de la République", "person"),
        ("ministre du Redressement productif", "organisation"),
        ("Neptune", "place"),
        ("Lockdown", "organisation"),
        ("Ashodaya", "organisation"),
        ("Ashodaya", "organisation", 1),
    )
    assert set(found) == {"Ashodaya"}


def test_a_city_s_name_the_article_gives_a_person_as_a_surname_is_the_person():
    text = "Sudesh Amman was shot. Amman had been released."
    found = _entities(text, ("Sudesh Amman", "person"), ("Amman", "place", 1))
    assert found == {"Sudesh Amman": ("person", {"Sudesh Amman", "Amman"})}


def test_a_french_place_head_before_the_span_makes_it_a_place_with_both_forms():
    text = "Les manifestants occupent la place Tahrir depuis mardi."
    found = _entities(text, ("Tahrir", "organisation"))
    assert found == {"place Tahrir": ("place", {"place Tahrir", "Tahrir"})}


def test_roman_ordinals_the_european_union_and_the_white_house_are_typed_by_the_guidelines():
    text = "Au XIXe siècle, l'Union européenne n'existait pas; the White House said."
    found = _entities(text, ("XIXe", "place"), ("Union européenne", "place"), ("White House", "place"))
    assert {name: kind for name, (kind, _forms) in found.items()} == {
        "Union européenne": "organisation",
        "White House": "organisation",
    }


def test_a_french_lower_case_head_before_a_name_belongs_to_it_and_types_it():
    text = "Des manifestants ont occupé la place Tahrir, puis les îles d'Hyères, près du centre de Lyon."
    found = _entities(text, ("Tahrir", "organisation"), ("Hyères", "place"), ("Lyon", "place"))
    assert found["place Tahrir"][0] == "place"
    assert "îles d'Hyères" in found and "Lyon" in found


def test_a_person_s_name_cut_after_a_particle_and_an_organisation_cut_after_and_are_whole():
    text = "Armel Le Cléac'h est deuxième. A spokesman of the Bill and Melinda Gates Foundation said so."
    found = _entities(text, ("Armel Le", "person"), ("Bill", "person"), ("Melinda Gates Foundation", "organisation"))
    assert set(found) == {"Armel Le Cléac'h", "Bill and Melinda Gates Foundation"}


def test_an_acronym_the_text_spells_out_in_lowercase_is_a_common_noun_not_an_organisation():
    text = (
        "Victime de deux accidents vasculaires cérébraux (AVC), il est mort. Le SMIC, salaire minimum "
        "interprofessionnel de croissance (SMIC), augmente. L'Union pour un mouvement populaire (UMP) proteste."
    )
    found = _entities(text, ("AVC", "organisation"), ("SMIC", "organisation"), ("UMP", "organisation"))
    assert set(found) == {"UMP"}


def test_peoples_common_abbreviations_software_and_words_shouted_in_capitals_are_not_entities():
    text = (
        "Touaregs et Peuls vivent au Mali. The MLA took a TB test and Aspirin. Red Hat Enterprise Linux (RHEL) "
        "runs on Kubernetes. We will get through this together, TOGETHER! NASA agreed."
    )
    found = _entities(
        text,
        ("Touaregs", "place"),
        ("Peuls", "organisation"),
        ("Mali", "place"),
        ("MLA", "person"),
        ("TB", "organisation"),
        ("Aspirin", "person"),
        ("Red Hat Enterprise Linux", "organisation"),
        ("RHEL", "organisation"),
        ("Kubernetes", "organisation"),
        ("TOGETHER", "organisation"),
        ("NASA", "organisation"),
    )
    assert set(found) == {"Mali", "NASA"}


def test_names_listed_together_take_the_kind_most_of_the_list_has():
    text = "Des toiles de Degas, Gauguin, Manet, Monet et Toulouse-Lautrec, à Brindeuil, Sarvacq et Quokkaville."
    found = _entities(
        text,
        ("Degas", "person"),
        ("Gauguin", "person"),
        ("Manet", "person"),
        ("Monet", "person"),
        ("Toulouse-Lautrec", "place"),
        ("Brindeuil", "place"),
        ("Sarvacq", "place"),
        ("Quokkaville", "person"),
    )
    assert found["Toulouse-Lautrec"][0] == "person"
    # Three names are no list to go by, but for a place the gazetteer knows among them
    # (test_clustering: "Mysore, Mandya, Chikmagalur, Kodagu").
    assert found["Quokkaville"][0] == "person"


def test_hospitals_are_places_and_armed_groups_organisations():
    text = "He died at Holy Cross Hospital. Al-Qaïda et Ansar Eddine ont frappé; Masjid Al-Aqsa."
    found = _entities(
        text, ("Holy Cross Hospital", "organisation"), ("Al-Qaïda", "place"), ("Masjid Al-Aqsa", "person")
    )
    assert {name: kind for name, (kind, _forms) in found.items()} == {
        "Holy Cross Hospital": "place",
        "Al-Qaïda": "organisation",
        "Masjid Al-Aqsa": "place",
    }


def test_a_minister_s_or_a_committee_s_portfolio_is_no_organisation_but_a_union_s_is_one():
    text = (
        "Luk, the minister for East African Affairs, met the Interior Minister and the committees on "
        "Foreign Affairs; the general secretary of the RMT union spoke."
    )
    found = _entities(
        text,
        ("East African Affairs", "organisation"),
        ("Interior", "organisation"),
        ("Foreign Affairs", "organisation"),
        ("RMT", "organisation"),
    )
    assert set(found) == {"RMT"}


def test_what_the_text_says_a_name_is_types_it_before_or_in_an_apposition_after_it():
    text = (
        "A report by UpGuard, a cybersecurity firm, found it. UpGuard wrote to the Mexican company"
        " Cultura Colectiva; the law firm Sidley Austin and entrepreneur Brock Pierce were told."
        " UpGuard said so."
    )
    found = _entities(
        text,
        ("UpGuard", "person"),
        ("UpGuard", "person", 1),
        ("UpGuard", "person", 2),
        ("Cultura Colectiva", "person"),
        ("Sidley Austin", "person"),
        ("Brock Pierce", "organisation"),
    )
    assert {name: kind for name, (kind, _forms) in found.items()} == {
        "UpGuard": "organisation",  # outvoted two to one by the model, typed by its apposition
        "Cultura Colectiva": "organisation",
        "Sidley Austin": "organisation",
        "Brock Pierce": "person",
    }


def test_a_descriptor_of_people_and_companies_alike_or_an_apposition_about_someone_else_types_nothing():
    text = (
        "The property developer Echo Investment bought it, said Tristan Smith of University College London,"
        " a shipping researcher, and state broadcaster China Central Television."
    )
    found = _entities(
        text,
        ("Echo Investment", "organisation"),
        ("Tristan Smith", "person"),
        ("University College London", "organisation"),
        ("China Central Television", "organisation"),
    )
    assert {name: kind for name, (kind, _forms) in found.items()} == {
        "Echo Investment": "organisation",
        "Tristan Smith": "person",
        "University College London": "organisation",
        "China Central Television": "organisation",
    }


def test_a_job_word_opening_a_sentence_before_a_full_name_is_no_part_of_it():
    text = "Broadcaster Piers Morgan criticised the plan. Mary Ann Smith agreed."
    found = _entities(text, ("Broadcaster Piers Morgan", "person"), ("Mary Ann Smith", "person"))
    assert found == {"Piers Morgan": ("person", {"Piers Morgan"}), "Mary Ann Smith": ("person", {"Mary Ann Smith"})}


def test_a_species_speech_and_a_title_alone_are_no_person():
    text = "The butterfly Zizeeria maha thrived. Ya ya. The Sultan spoke; Sultan Qaboos bin Said ruled."
    found = _entities(
        text,
        ("Zizeeria maha", "person"),
        ("Ya ya.", "person"),
        ("Sultan", "place"),
        ("Sultan Qaboos bin Said", "person"),
    )
    assert set(found) == {"Qaboos bin Said"}


def test_a_day_after_a_name_an_instrument_an_award_for_a_subject_and_a_joint_portfolio_are_cut_or_dropped():
    text = (
        "Sandy a frappé le New Jersey mercredi. The Gemini Planet Imager saw it; she won the Nemmers Prize in "
        "Mathematics. Road Transport and Bridges Minister Obaidul Quader spoke."
    )
    found = _entities(
        text,
        ("New Jersey mercredi", "place"),
        ("Gemini Planet Imager", "organisation"),
        ("Nemmers Prize in Mathematics", "organisation"),
        ("Road Transport", "organisation"),
        ("Bridges", "person"),
        ("Obaidul Quader", "person"),
    )
    assert {name: kind for name, (kind, _forms) in found.items()} == {"New Jersey": "place", "Obaidul Quader": "person"}


def test_a_place_word_and_of_before_a_name_make_it_a_place():
    text = "The mayor of Yartsevo said so; voters in the electoral district of Groom and the town of Speed agreed."
    found = _entities(text, ("Yartsevo", "person"), ("Groom", "person"), ("Speed", "organisation"))
    assert {name: kind for name, (kind, _forms) in found.items()} == {
        "Yartsevo": "place",
        "Groom": "place",
        "Speed": "place",
    }


def test_a_known_region_before_a_person_s_name_and_a_known_owner_before_a_possessive_are_their_own_mentions():
    text = (
        "Senator from Vermont Patrick Leahy spoke at Hulu's Beyond Fest, near San Diego County;"
        " the US Marine Corps came."
    )
    found = _entities(
        text,
        ("Vermont Patrick Leahy", "organisation"),
        ("Hulu's Beyond Fest", "organisation"),
        ("San Diego County", "place"),
        ("US Marine Corps", "organisation"),
    )
    assert {name: kind for name, (kind, _forms) in found.items()} == {
        "Vermont": "place",
        "Patrick Leahy": "person",
        "Hulu": "organisation",  # and "Beyond Fest", a festival, is no entity
        "San Diego County": "place",  # a town's name is never cut off
        "US Marine Corps": "organisation",
    }


def test_a_french_head_with_an_adjective_or_a_compound_head_belongs_to_the_name_and_the_adjective_goes():
    text = (
        "Il entre à l'université de Manchester, puis à l'université anglaise de Manchester. "
        "La basilique-cathédrale Notre-Dame-de-Québec ouvre; les îles d'Hyères aussi."
    )
    found = _entities(
        text,
        ("Manchester", "place"),
        ("Manchester", "place", 1),
        ("Notre-Dame-de-Québec", "place"),
        ("Hyères", "place"),
    )
    assert {name: kind for name, (kind, _forms) in found.items()} == {
        "université de Manchester": "organisation",
        "basilique-cathédrale Notre-Dame-de-Québec": "place",
        "îles d'Hyères": "place",
    }


def test_a_family_a_place_s_people_a_region_s_adjective_and_a_name_after_a_possessive_are_not_entities():
    text = (
        "Donald Trump and the Trumps' son left. Any Londoner would do it in this Chamber, Middle Eastern "
        "disputes aside. Notre Soleil brille: notre Soleil. C'est un Etat-clé. Mojang (now Microsoft) said that "
        "Mojang would not."
    )
    found = _entities(
        text,
        ("Donald Trump", "person"),
        ("Trumps", "person"),
        ("Londoner", "person"),
        ("Chamber", "organisation"),
        ("Middle Eastern", "place"),
        ("notre Soleil", "place"),
        ("Etat-clé", "place"),
        ("Mojang", "organisation"),
        ("Mojang", "organisation", 1),
    )
    assert set(found) == {"Donald Trump", "Mojang", "Microsoft"}


def test_a_programme_and_an_acronym_glossed_in_sentence_case_in_square_brackets_are_not_entities():
    text = (
        "Il lance le programme ACE en 1945. They registered for ART [Anti-retroviral treatment]; the WHO "
        "[World Health Organization] helped, and the PS (Parti socialiste) too."
    )
    found = _entities(
        text, ("ACE", "organisation"), ("ART", "organisation"), ("WHO", "organisation"), ("PS", "organisation")
    )
    assert set(found) == {"World Health Organization", "Parti socialiste"}  # each with its acronym


def test_a_lowercase_noun_describing_a_place_is_no_part_of_its_name_but_a_naming_head_is():
    text = (
        "Elle nait dans l'état de New-York, vit dans le département du Lot, au pied du massif du Mont-Blanc, "
        "près du centre des Congrès."
    )
    found = _entities(
        text,
        ("état de New-York", "place"),
        ("département du Lot", "place"),
        ("massif du Mont-Blanc", "place"),
        ("centre des Congrès", "place"),
    )
    assert set(found) == {"New-York", "Lot", "massif du Mont-Blanc", "centre des Congrès"}


def test_an_organisation_the_model_cut_at_and_or_called_a_person_is_whole():
    text = "Funded by the Gordon and Betty Moore Foundation and by the Sterling and Francine Clark Art Institute."
    found = _entities(
        text,
        ("Gordon and Betty Moore Foundation", "person"),
        ("Sterling and", "organisation"),
        ("Francine Clark Art Institute", "person"),
    )
    assert {name: kind for name, (kind, _forms) in found.items()} == {
        "Gordon and Betty Moore Foundation": "organisation",
        "Sterling and Francine Clark Art Institute": "organisation",
    }


def test_a_name_between_commas_after_a_post_of_a_place_is_a_person_s():
    text = "The current president of Namibia, Hage Geingob, expressed his sadness."
    found = _entities(text, ("Namibia", "place"), ("Hage Geingob", "organisation"))
    assert {name: kind for name, (kind, _forms) in found.items()} == {"Namibia": "place", "Hage Geingob": "person"}


def test_a_country_named_as_a_state_is_the_country():
    text = "The State of Palestine objected, and France, and the State of France, agreed."
    found = _entities(
        text, ("State of Palestine", "organisation"), ("France", "place"), ("State of France", "organisation")
    )
    assert {kind for kind, _forms in found.values()} == {"place"} and len(found) == 2


def test_a_programme_a_document_a_vehicle_and_a_listed_portfolio_are_not_entities_but_a_numbered_road_is_a_place():
    text = (
        "The Voskhod programme ended; get a PAN card. The UN mission stayed. The chairmen of the committees on "
        "Foreign Affairs, Intelligence, and Oversight met on U.S. Route 2 near Interstate 80."
    )
    found = _entities(
        text,
        ("Voskhod", "person"),
        ("PAN", "organisation"),
        ("UN", "organisation"),
        ("Foreign Affairs", "organisation"),
        ("Intelligence", "organisation"),
        ("Oversight", "organisation"),
        ("U.S. Route", "organisation"),
        ("Interstate", "organisation"),
    )
    assert {name: kind for name, (kind, _forms) in found.items()} == {
        "UN": "organisation",
        "U.S. Route 2": "place",
        "Interstate 80": "place",
    }


def test_an_apposition_naming_a_kind_of_place_makes_a_place_and_its_head_noun_decides():
    text = (
        "Erdogan pledged converting Hagia Sophia, formerly a Greek Orthodox church and now a museum."
        " He drove to Cedritos, a neighbourhood in Bogotá. Victims included Mohammed Reda, an airport"
        " protocol officer. Lyn Ocita, a déclaré la radio."
    )
    found = _entities(
        text,
        ("Hagia Sophia", "person"),
        ("Cedritos", "organisation"),
        ("Bogotá", "place"),
        ("Mohammed Reda", "person"),
        ("Lyn Ocita", "person"),
    )
    assert {name: kind for name, (kind, _forms) in found.items()} == {
        "Hagia Sophia": "place",
        "Cedritos": "place",
        "Bogotá": "place",
        "Mohammed Reda": "person",  # an officer, not an airport
        "Lyn Ocita": "person",  # French "a" is "has"
    }


def test_an_adjective_written_once_after_a_name_written_alone_more_often_only_modifies_it():
    text = (
        "La Francophonie grandit. La Francophonie institutionnelle aussi. L'Assemblée nationale vote; "
        "l'Assemblée siège; l'Assemblée nationale décide. La Francophonie enfin."
    )
    found = _entities(
        text,
        ("Francophonie", "organisation"),
        ("Francophonie institutionnelle", "organisation"),
        ("Assemblée nationale", "organisation"),
        ("Assemblée", "organisation"),
        ("Assemblée nationale", "organisation", 1),
        ("Francophonie", "organisation", 2),
    )
    assert found["Francophonie"] == ("organisation", {"Francophonie"})
    assert "Assemblée nationale" in found[next(iter(n for n in found if n.startswith("Assemblée")))][1]


def test_an_organisation_s_or_a_place_s_head_word_the_model_cut_off_joins_the_name():
    text = (
        "They may pool resources with the nearby Eastern Shoshone Tribe, who have a herd. He studied at the"
        " University of Pennsylvania. South Korea's National Police Agency and U.S. District Judge Smith agreed."
    )
    found = _entities(
        text,
        ("Eastern Shoshone", "place"),
        ("Pennsylvania", "place"),
        ("South Korea's", "place"),
        ("National Police Agency", "organisation"),
        ("U.S.", "place"),
    )
    assert {name: kind for name, (kind, _forms) in found.items()} == {
        "Eastern Shoshone Tribe": "organisation",
        "University of Pennsylvania": "organisation",
        "South Korea": "place",  # a possessive owns what follows: no "South Korea's National Police Agency"
        "National Police Agency": "organisation",
        "U.S": "place",  # "Judge" ends the run: no "U.S. District"
    }


def test_an_organisation_cut_at_a_capitalised_article_is_one_name_but_a_possessive_stays_two():
    text = "Europe Écologie Les Verts regrette. Imperial College London's MRC Centre published it."
    found = _entities(
        text,
        ("Europe Écologie", "organisation"),
        ("Les Verts", "organisation"),
        ("Imperial College London's", "organisation"),
        ("MRC Centre", "organisation"),
    )
    assert set(found) == {"Europe Écologie Les Verts", "Imperial College London", "MRC Centre"}


def test_a_possessive_before_a_name_a_title_after_an_honorific_and_a_long_name_with_lowercase_words_stay():
    text = "« Que sais-je ! » interrogeait notre Montaigne. M. Prince parla d'Oswald le joyeux lapin."
    found = _entities(text, ("Montaigne", "person"), ("M. Prince", "person"), ("Oswald le joyeux lapin", "person"))
    assert set(found) == {"Montaigne", "Prince", "Oswald le joyeux lapin"}


def test_a_maker_s_name_before_a_stoplisted_product_is_no_entity_but_a_ministry_s_portfolio_name_is():
    text = "The SpaceX Crew Dragon docked. Le ministère des Affaires étrangères a réagi."
    found = _entities(text, ("SpaceX Crew Dragon", "person"), ("ministère des Affaires étrangères", "organisation"))
    assert set(found) == {"ministère des Affaires étrangères"}


def test_a_frequent_word_spanned_as_a_person_at_a_sentence_start_or_after_a_comma_is_no_name():
    """wordfreq tells ordinary words ("Photographs", "Taken" in transcribed speech) from names
    written once at a sentence start ("Barroso": rare as a word; "Grant": a surname of the
    name lists; "Nice": a place of the gazetteer)."""
    text = (
        "Photographs showed the scene. They should have thought a little bit, Taken someone's advice. "
        "Barroso agreed. Grant spoke later. Nice voted."
    )
    found = _entities(
        text,
        ("Photographs", "person"),
        ("Taken", "person"),
        ("Barroso", "person"),
        ("Grant", "person"),
        ("Nice", "person"),
    )
    assert set(found) == {"Barroso", "Grant", "Nice"}


def test_a_frequent_word_the_article_writes_as_a_name_inside_a_sentence_stays():
    """ "Wings" is a band when the article also writes "Wings's album" inside a sentence; a
    head word of organisations' names written alone names the body ("Senate")."""
    text = "Wings recorded it. He worked on Wings's album. Senate voted the bill."
    found = _entities(text, ("Wings", "person"), ("Senate", "organisation"))
    assert set(found) == {"Wings", "Senate"}


def test_a_frequent_word_spanned_as_an_organisation_or_a_place_only_where_a_capital_is_forced_is_no_name():
    """ "Millions fled", "Aviation : ..." at a sentence start are common words whatever the model
    called them; a head word ("Senate"), a name after an elided article ("l'Union"), in
    brackets ("(Java)") or hyphenated ("Radio-Canada") stays, and so do continents and
    "Turkey", which the gazetteer knows."""
    text = (
        "Millions fled the city. Aviation: new rules. Senate voted. En effet, l'Union avait tranché. "
        "Il partit de Surabaya (Java). Radio-Canada annonce la nouvelle. Europe voted. Turkey agreed. Asie : le bilan."
    )
    found = _entities(
        text,
        ("Millions", "organisation"),
        ("Aviation", "organisation"),
        ("Senate", "organisation"),
        ("Union", "organisation"),
        ("Surabaya", "place"),
        ("Java", "place"),
        ("Radio-Canada", "organisation"),
        ("Europe", "organisation"),
        ("Turkey", "person"),
        ("Asie", "place"),
    )
    assert set(found) == {"Senate", "Union", "Surabaya", "Java", "Radio-Canada", "Europe", "Turkey", "Asie"}
    assert {found[name][0] for name in ("Europe", "Turkey", "Asie")} == {"place"}


def test_a_name_with_a_model_number_after_every_mention_is_a_product_not_a_maker():
    """ "a Boeing 707", "Falcon 9", "Césium 137" name a vehicle, a rocket, an isotope; a maker
    also named alone stays, and so do a place before a distance, an event's year, a place the
    gazetteer knows and the entries of a price list."""
    text = (
        "A Boeing 707 crashed. The Falcon 9 rocket flew. Du Césium 137, tel qu'ailleurs, a été trouvé. "
        "Airbus built an A300; Airbus A300s fly. Reporters contacted Airbus. "
        "Rancagua, O'Higgins 105 kilomètres au nord. Tokyo 2020 was postponed. "
        "Cours : Lyon 405, Plata 23 50, Erie 58 1/8 ; Illinois Central 129 ; fin. Vers la Mésopotamie 637. 800 francs."
    )
    found = _entities(
        text,
        ("Boeing", "organisation"),
        ("Falcon", "organisation"),
        ("Césium", "place"),
        ("Airbus", "organisation", 0),
        ("Airbus", "organisation", 1),
        ("Airbus", "organisation", 2),
        ("O'Higgins", "place"),
        ("Tokyo", "place"),
        ("Lyon", "place"),
        ("Plata", "place"),
        ("Illinois Central", "organisation"),
        ("Mésopotamie", "place"),
    )
    assert set(found) == {"Airbus", "O'Higgins", "Tokyo", "Lyon", "Plata", "Illinois Central", "Mésopotamie"}


def test_stars_constellations_and_planets_are_no_entities():
    """A designation and a constellation's genitive name a star ("AB Aurigae", "Alpha
    Centauri"); a name written before "constellation" or after "planète" is a constellation's
    or a planet's; a given name before a genitive is a person's ("Mario Lupi")."""
    text = (
        "Located in the Auriga constellation, AB Aurigae is young. Alpha Centauri is near. "
        "Mario Lupi spoke. La « planète Tatooine » orbite."
    )
    found = _entities(
        text,
        ("Auriga", "place"),
        ("AB Aurigae", "organisation"),
        ("Alpha Centauri", "place"),
        ("Mario Lupi", "person"),
        ("Tatooine", "place"),
    )
    assert set(found) == {"Mario Lupi"}


def test_a_frequent_word_the_article_also_writes_in_lowercase_is_a_common_noun_even_inside_a_sentence():
    """ "Solar" (the model's organisation in "a mass of 4.2 Solar masses") is the common noun
    the article writes "solar"; an owner ("Time's"), a name after a capitalised article
    ("The Standard"), before a word saying what it is ("Time magazine") or an abbreviation
    ("Mass. four days later") stays, and so does a head word ("Senate")."""
    text = (
        "It weighs 4.2 Solar masses, like other solar objects. Time's list and Time magazine "
        "covered it, as did The Standard; the standard view and time went on. He hid in "
        "Watertown, Mass. four days later; a mass was said. The Senate met; a senate met."
    )
    found = _entities(
        text,
        ("Solar", "organisation"),
        ("Time", "organisation", 0),
        ("Time", "organisation", 1),
        ("Standard", "organisation"),
        ("Mass.", "place"),
        ("Senate", "organisation"),
    )
    assert set(found) == {"Time", "Standard", "Mass", "Senate"}


def test_a_game_a_treaty_or_a_programme_named_by_its_head_and_what_it_is_of_is_no_entity():
    """ "Game of Life", "Convention of International Trade...": a head that names no entity
    (a game, a treaty) may open the name, followed by what it is of; an organisation's head
    does not ("Bank of England")."""
    text = "Conway's Game of Life is famous. The Convention of International Trade was signed. The Bank of England met."
    found = _entities(
        text,
        ("Game of Life", "organisation"),
        ("Convention of International Trade", "organisation"),
        ("Bank of England", "organisation"),
    )
    assert set(found) == {"Bank of England"}


def test_an_adverb_or_a_participle_opening_a_clause_or_a_speaker_s_turn_is_no_person():
    """ "Submergée par l'émotion", "((Jaya)) Majorly, thinking": an adverb's or a participle's
    ending and a word of the language (wordfreq) at all; an interview's speaker tag makes a
    capital as a sentence start does. A given name with such an ending stays ("Renée")."""
    text = (
        "Submergée par l'émotion, elle pleure. Renée parle ensuite.\n"
        "((WN)) And then?\n((Jaya)) Majorly, thinking that life will stay."
    )
    found = _entities(text, ("Submergée", "person"), ("Renée", "person"), ("Majorly", "person"))
    assert set(found) == {"Renée"}


def test_an_organisation_written_after_an_ordinal_is_an_edition_of_an_event():
    """ "le premier Forum mondial de la langue française", "the annual Homotopia festival" are
    editions of events, and so is the short form that follows ("le Forum"); a numbered parliament is an organisation ("43rd Canadian Parliament")
    and a place names the event it is the place of ("the first Bali bombing")."""
    text = (
        "Le premier Forum mondial de la langue française s'ouvre. Le Forum dure. In Liverpool, the annual Homotopia opens. "
        "MPs of the 43rd Canadian Parliament met after the first Bali bombing."
    )
    found = _entities(
        text,
        ("Forum mondial de la langue française", "organisation"),
        ("Forum", "organisation", 1),
        ("Liverpool", "place"),
        ("Homotopia", "organisation"),
        ("Canadian Parliament", "organisation"),
        ("Bali", "place"),
    )
    assert set(found) == {"Liverpool", "Canadian Parliament", "Bali"}


def test_the_plural_of_a_name_of_the_article_s_people_after_the_is_a_family_whatever_its_type():
    """ "The Tongs indicated issues" after "Tong Yung-soo", "the Turpins" after "David Turpin":
    a family (GUIDELINES.md), even when the model called it a place or an organisation; a
    plural written without "the" is left alone ("Folgers", "Tongs Ltd")."""
    text = "The owner Tong Yung-soo left. The Tongs indicated issues. David Turpin was jailed; the Turpins wept."
    found = _entities(
        text,
        ("Tong Yung-soo", "person"),
        ("Tongs", "place"),
        ("David Turpin", "person"),
        ("Turpins", "organisation"),
    )
    assert set(found) == {"Tong Yung-soo", "David Turpin"}


def test_a_frequent_word_written_as_an_owner_at_the_very_start_of_a_field_is_a_name():
    """ "Shell's profits" opening the headline, or the body, is an owner's name like "Trump's
    aides" anywhere else: the first word of a field has nothing before it, no apostrophe that
    would put it inside a word ("O'Brien")."""
    for headline, body in (
        ("Shell's profits fall", "Oil prices fell. Shell said on Monday that profits would fall."),
        ("Profits fall", "Shell's profits fell. Shell said on Monday that they would fall again."),
    ):
        fields = {"headline": headline, "body_text": body}
        mentions = [
            RawMention(field, match.start(), match.end(), "Shell", "organisation", "ORG")
            for field, text in fields.items()
            for match in re.finditer("Shell", text)
        ]
        assert [c.name for c in cluster_article(mentions, fields)] == ["Shell"]
