"""A virtual IC card for pcscd's virtual reader (vsmartcard-vpcd): the card application of
``card_desktop_helper.protocol`` behind vpcd's TCP protocol, with a test CA to issue its certificate."""
