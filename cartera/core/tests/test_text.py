"""Accent- and case-insensitive keys for search, and company names without their legal form."""

import pytest

from cartera.core.text import normalize, normalize_company_name


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Muñoz", "munoz"),
        ("MUÑOZ", "munoz"),
        ("ÁLAMOS", "alamos"),
        ("  Muñoz  Hnos ", "munoz hnos"),
        ("Ferretería\tMuñoz\nLimitada", "ferreteria munoz limitada"),
        ("São Paulo Ação", "sao paulo acao"),
        ("Ñandú Güemes", "nandu guemes"),
        ("Mu\u0303noz", "munoz"),  # n followed by a combining tilde
        ("Straße", "strasse"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_drops_accents_case_and_extra_spaces(text, key):
    assert normalize(text) == key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Ferretería Muñoz Limitada", "ferreteria munoz"),
        ("FERRETERIA MUNOZ LTDA.", "ferreteria munoz"),
        ("Ferretería Muñoz Ltda", "ferreteria munoz"),
        ("Minera Tamarugal SpA", "minera tamarugal"),
        ("Minera Tamarugal S.p.A.", "minera tamarugal"),
        ("Constructora Los Álamos S.A.", "constructora los alamos"),
        ("Constructora Los Alamos SA", "constructora los alamos"),
        ("Constructora Los Álamos S. A.", "constructora los alamos"),
        ("Grupo Industrial del Norte, S.A. de C.V.", "grupo industrial del norte"),
        ("Grupo Industrial del Norte SA de CV", "grupo industrial del norte"),
        ("Cementos del Valle, S.A.B. de C.V.", "cementos del valle"),
        ("Tienda La Esquina, S. de R.L. de C.V.", "tienda la esquina"),
        ("Soluciones Andinas S.A.S.", "soluciones andinas"),
        ("Soluciones Andinas SAS", "soluciones andinas"),
        ("Textiles Cusco S.A.C.", "textiles cusco"),
        ("Comercial Arica E.I.R.L.", "comercial arica"),
        ("Importadora Quito Cía. Ltda.", "importadora quito"),
        ("Distribuciones Ebro S.L.", "distribuciones ebro"),
        ("Hermanos Pérez S.R.L.", "hermanos perez"),
        ("Minera Tamarugal SpA Ltda.", "minera tamarugal"),  # suffixes stacked by mistake
        ("A & B Servicios", "a b servicios"),
    ],
)
def test_company_names_lose_their_legal_form_and_punctuation(name, key):
    assert normalize_company_name(name) == key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Spa Relax Ltda.", "spa relax"),  # a legal form at the start is part of the name
        ("Salsas del Sur", "salsas del sur"),
        ("Inca Minerals Inc.", "inca minerals"),
        ("S.A.", "s a"),  # never the whole name
    ],
)
def test_only_a_trailing_legal_form_is_removed(name, key):
    assert normalize_company_name(name) == key


def test_two_spellings_of_the_same_company_give_the_same_key():
    assert normalize_company_name("Constructora Los Álamos S.A.") == normalize_company_name(
        "CONSTRUCTORA LOS ALAMOS SA"
    )
