"""The consultation, step by step: patient, history, areas, screening, quote, consent, documents."""
