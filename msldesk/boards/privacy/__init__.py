"""Privacy requests about one person: export everything held about them (export.py), or erase them
while keeping the transfer-of-value records the law requires (erase.py); service.py is the API."""
