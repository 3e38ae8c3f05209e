"""PacketDelivery's delivery orders: an in-memory, thread-safe store of NGSI-LD ``DELIVERYORDER``
entities (normalized form: every attribute an NGSI-LD Property ``{"type": "Property", "value": ...}``).

The well-known attributes are checked: ``deliveryAddress`` (a postal-address object or a string),
``EDA`` / ``PDA`` (estimated / planned date of arrival, an ISO 8601 date) and ``ETA`` / ``PTA``
(estimated / planned time of arrival, an ISO 8601 time of day or date-time). Other attributes are
any well-formed Property. Every read returns a copy.
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import Any

ENTITY_TYPE = "DELIVERYORDER"
ID_PREFIX = "urn:ngsi-ld:DELIVERYORDER:"
DATE_ATTRS = ("EDA", "PDA")
TIME_ATTRS = ("ETA", "PTA")

_ID = re.compile(r"^urn:ngsi-ld:DELIVERYORDER:[A-Za-z0-9][A-Za-z0-9._~:-]{0,199}$")
_ATTR_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
MAX_DEPTH = 8
"""How deeply a Property may nest objects and arrays (the Property object itself is one level)."""
_RESERVED = frozenset({"id", "type", "scope", "createdAt", "modifiedAt", "deletedAt"})


class OrderError(Exception):
    """Base of the store's refusals."""


class OrderNotFound(OrderError):
    """No entity with this id, or the entity has no such attribute."""


class OrderExists(OrderError):
    """An entity with this id already exists."""


class InvalidOrder(OrderError):
    """The entity or Property does not meet the DELIVERYORDER model."""


def check_property(attr: str, prop: Any) -> dict[str, Any]:
    """A well-formed NGSI-LD Property for ``attr`` (``type`` defaults to Property), or ``InvalidOrder``."""
    if not isinstance(attr, str) or not _ATTR_NAME.match(attr) or attr in _RESERVED:
        raise InvalidOrder(f"{attr!r} is not a valid attribute name")
    if not isinstance(prop, dict):
        raise InvalidOrder(f"attribute {attr} is not an NGSI-LD Property object")
    kind = prop.get("type", "Property")
    if kind != "Property":
        raise InvalidOrder(f"attribute {attr} is of type {kind!r}; only Property is supported")
    if prop.get("value") is None:
        raise InvalidOrder(f"attribute {attr} has no value")
    if _too_deep(prop, MAX_DEPTH):
        raise InvalidOrder(f"attribute {attr} is nested more than {MAX_DEPTH} levels deep")
    _check_value(attr, prop["value"])
    return {**copy.deepcopy(prop), "type": "Property"}


def _too_deep(value: Any, budget: int) -> bool:
    """Whether ``value`` nests more than ``budget`` levels of objects and arrays (stops early)."""
    if isinstance(value, dict | list):
        if budget <= 0:
            return True
        children = value.values() if isinstance(value, dict) else value
        return any(_too_deep(child, budget - 1) for child in children)
    return False


def _check_value(attr: str, value: Any) -> None:
    if attr == "deliveryAddress":
        if not (isinstance(value, dict) and value) and not (isinstance(value, str) and value.strip()):
            raise InvalidOrder("deliveryAddress must be a postal address object or a non-empty string")
    elif attr in DATE_ATTRS:
        if not isinstance(value, str) or not _parses(date.fromisoformat, value):
            raise InvalidOrder(f"{attr} must be an ISO 8601 date (YYYY-MM-DD), not {value!r}")
    elif attr in TIME_ATTRS and (
        not isinstance(value, str)
        or not (
            _parses(time.fromisoformat, value) or ("T" in value and _parses(datetime.fromisoformat, value))
        )
    ):
        raise InvalidOrder(f"{attr} must be an ISO 8601 time or date-time, not {value!r}")


def _parses(parse: Any, text: str) -> bool:
    try:
        parse(text)
    except ValueError:
        return False
    return True


def check_order(entity: Any) -> dict[str, Any]:
    """A well-formed DELIVERYORDER entity (``@context`` dropped), or ``InvalidOrder``."""
    if not isinstance(entity, dict):
        raise InvalidOrder("the entity is not a JSON object")
    entity_id = entity.get("id")
    if not isinstance(entity_id, str) or not _ID.match(entity_id):
        raise InvalidOrder(f"the entity id must be a URN {ID_PREFIX}<name>, not {entity_id!r}")
    if entity.get("type") != ENTITY_TYPE:
        raise InvalidOrder(f"the entity type must be {ENTITY_TYPE}, not {entity.get('type')!r}")
    order: dict[str, Any] = {"id": entity_id, "type": ENTITY_TYPE}
    for attr, prop in entity.items():
        if attr not in ("id", "type", "@context"):
            order[attr] = check_property(attr, prop)
    return order


def _prop(value: Any) -> dict[str, Any]:
    return {"type": "Property", "value": value}


def seed_orders() -> list[dict[str, Any]]:
    """Two orders of HappyPets customers (``originAddress`` is one no policy role may read)."""
    return [
        {
            "id": f"{ID_PREFIX}happypets001",
            "type": ENTITY_TYPE,
            "deliveryAddress": _prop(
                {
                    "addressCountry": "DE",
                    "addressLocality": "Berlin",
                    "postalCode": "10785",
                    "streetAddress": "Potsdamer Platz 1",
                }
            ),
            "originAddress": _prop({"addressCountry": "NL", "addressLocality": "Amsterdam"}),
            "EDA": _prop("2021-10-03"),
            "ETA": _prop("14:00:00"),
            "PDA": _prop("2021-10-03"),
            "PTA": _prop("14:00:00"),
        },
        {
            "id": f"{ID_PREFIX}happypets002",
            "type": ENTITY_TYPE,
            "deliveryAddress": _prop(
                {
                    "addressCountry": "FR",
                    "addressLocality": "Lyon",
                    "postalCode": "69002",
                    "streetAddress": "12 Rue de la République",
                }
            ),
            "originAddress": _prop({"addressCountry": "NL", "addressLocality": "Rotterdam"}),
            "EDA": _prop("2021-10-05"),
            "ETA": _prop("09:30:00"),
            "PDA": _prop("2021-10-05"),
            "PTA": _prop("09:30:00"),
        },
    ]


class DeliveryOrderStore:
    """DELIVERYORDER entities by id, guarded by one lock; the default is seeded with ``seed_orders``."""

    def __init__(self, orders: Iterable[Mapping[str, Any]] | None = None):
        self._lock = threading.Lock()
        self._orders: dict[str, dict[str, Any]] = {}
        for entity in seed_orders() if orders is None else orders:
            order = check_order(dict(entity))
            self._orders[order["id"]] = order

    def ids(self) -> list[str]:
        with self._lock:
            return sorted(self._orders)

    def get(self, entity_id: str) -> dict[str, Any]:
        """A copy of the entity, or ``OrderNotFound``."""
        with self._lock:
            return copy.deepcopy(self._entity(entity_id))

    def get_attr(self, entity_id: str, attr: str) -> dict[str, Any]:
        """A copy of one attribute's Property, or ``OrderNotFound``."""
        with self._lock:
            entity = self._entity(entity_id)
            if attr in ("id", "type") or attr not in entity:
                raise OrderNotFound(f"entity {entity_id} has no attribute {attr}")
            return copy.deepcopy(entity[attr])

    def patch_attr(self, entity_id: str, attr: str, prop: Any) -> dict[str, Any]:
        """Replace an existing attribute with a well-formed Property (``OrderNotFound``, ``InvalidOrder``)."""
        with self._lock:
            entity = self._entity(entity_id)
            if attr in ("id", "type") or attr not in entity:
                raise OrderNotFound(f"entity {entity_id} has no attribute {attr}")
            checked = check_property(attr, prop)
            entity[attr] = checked
            return copy.deepcopy(checked)

    def create(self, entity: Any) -> str:
        """Add a new DELIVERYORDER and return its id (``InvalidOrder``, ``OrderExists``)."""
        order = check_order(entity)
        with self._lock:
            if order["id"] in self._orders:
                raise OrderExists(f"entity {order['id']} already exists")
            self._orders[order["id"]] = order
        return order["id"]

    def _entity(self, entity_id: str) -> dict[str, Any]:
        entity = self._orders.get(entity_id)
        if entity is None:
            raise OrderNotFound(f"entity {entity_id} not found")
        return entity
