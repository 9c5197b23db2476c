"""Question clearing on the H5 pages and the JSON API: asking, 我的问题, the executive's review, published questions."""
