"""Cross-cutting web pieces every app may use: the bottom layer, importing nothing of ours.

Admin history held to each admin's own rules (`history`), and counters for rate
limits that take one cache round trip (`counters`).
"""
