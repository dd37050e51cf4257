"""Analytics for editors and partner managers: how a quiz performs, on one admin page.

Figures are plain query functions (`figures`), one aggregate query each; the
filter form reads the page's GET parameters (`filters`); `charts` lays the
figures out as SVG drawn by templates; `export` streams the filtered attempts
as CSV. Who sees which attempts is careerquiz.partners.attempts.visible_to.
"""
