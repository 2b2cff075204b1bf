"""POST /alexa: placeholder, replaced by the skill host."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("alexa", __name__)
