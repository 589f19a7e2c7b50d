"""Consent and treatment-plan PDFs, sealed with the clinic's own certificate.

`model.DocumentInput` is the one plain input of both builders; `build.document_input`
makes it from a consultation, the app may make it from its own screens.
`consent.build_consent` and `plan.build_plan` return PDF bytes; `sealing.seal` signs
them with `certificate.clinic_certificate`; `issue.issue` does all of it and writes the
files; `verify.verify_pdf` checks a sealed file is intact and this clinic's.
"""
