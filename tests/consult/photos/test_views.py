"""The standard views: five angles for the face, the body maps' views for the body."""

from __future__ import annotations

import pytest

from consult.errors import InvalidField
from consult.photos.views import check_stage, check_view, view_label, views_for


def test_a_face_area_has_the_five_standard_angles():
    assert [view.id for view in views_for("cheeks")] == [
        "front", "left_45", "right_45", "left_profile", "right_profile",
    ]
    assert view_label("left_45") == "Left 45°"


def test_a_body_area_has_the_body_maps_views():
    assert [view.id for view in views_for("abdomen")] == ["body_front", "body_back"]


def test_a_view_the_area_does_not_have_is_refused_naming_the_field():
    with pytest.raises(InvalidField, match="one of: body_front, body_back") as refused:
        check_view("abdomen", "left_45")
    assert refused.value.field == "view"
    with pytest.raises(InvalidField, match="not a treatment area"):
        check_view("elbow", "front")
    with pytest.raises(InvalidField, match="before"):
        check_stage("during")
