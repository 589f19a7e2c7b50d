"""The patient list, search and the patient form."""
