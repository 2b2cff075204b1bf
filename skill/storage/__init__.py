"""What the skill keeps beyond one request, behind small adapters.

In: Alexa user ids with their attribute dicts, the directory's room listing, locale
names. Out: per-listener state through ask-sdk's persistence port (``persistence``:
memory, SQLite, DynamoDB via ``state_dynamodb``; every failure a
``PersistenceException``), the current room index (``index_cache``, rebuilt in the
background) and the speech catalogs shipped in ``skill/catalogs`` (``catalogs``).
Nothing is opened at import: adapters build their client or file on first use.
"""
