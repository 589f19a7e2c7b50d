"""The course after the consent: the patient card's Sessions tab and the Due view."""
