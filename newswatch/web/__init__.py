"""`newswatch serve`'s front end on Datasette: plugin, templates, facets, search, formatting.

See newswatch.serve for the pages; db.canned and db.reading hold the SQL.
"""
