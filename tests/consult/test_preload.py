"""Pre-loading reads every data file a consultation uses, once."""

from __future__ import annotations

from consult.app.preload import consultation_data
from consult.clinical import maps
from consult.clinical.catalogue import catalogue
from consult.clinical.courses import course_table
from consult.clinical.depths import depth_table
from consult.clinical.questionnaire import questionnaire
from consult.clinical.rules import rule_table
from consult.pricing.prices import default_price_list

LOADERS = (catalogue, questionnaire, rule_table, depth_table, course_table, default_price_list)


def test_every_consultation_file_is_read_ahead_and_kept():
    for loader in (*LOADERS, maps.load):
        loader.cache_clear()
    consultation_data()
    for loader in LOADERS:
        assert loader.cache_info().currsize == 1, loader.__name__
    assert maps.load.cache_info().currsize == len(maps.VIEWS)
    consultation_data()  # a second time reads nothing again
    assert all(loader.cache_info().misses == 1 for loader in LOADERS)
