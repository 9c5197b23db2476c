"""The declaration-standard library (规范申报企业专属库): reference data, customs uploads, library rows."""
