"""The model browser: every Krea model as a card with what it does, its price and the
team's latest output of it, filtered by tag, kind and price; each member's favourites
pinned first. A page, and a partial the generate page opens as a model chooser."""
