"""Every follow book adapter keeps the same promises: memory, SQLite and DynamoDB (moto_server)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from room_directory.dynamodb import DynamoDbRoomDirectory
from room_directory.follows import FollowBook, InMemoryFollowBook, SqliteFollowBook
from room_directory.follows_dynamodb import DynamoDbFollowBook
from tests.support.aws import MotoServer, unique_name


def dynamodb(tmp_path: Path, moto: MotoServer) -> FollowBook:
    directory = DynamoDbRoomDirectory(unique_name("rooms"), client=moto.client("dynamodb"))
    directory.create_table()
    return DynamoDbFollowBook(directory)


BOOKS: dict[str, Callable[[Path, Any], FollowBook]] = {
    "memory": lambda tmp_path, _: InMemoryFollowBook(),
    "sqlite": lambda tmp_path, _: SqliteFollowBook(tmp_path / "rooms.db"),
    "dynamodb": dynamodb,
}


@pytest.fixture(params=sorted(BOOKS))
def book(request: pytest.FixtureRequest, tmp_path: Path) -> FollowBook:
    moto = request.getfixturevalue("moto_server") if request.param == "dynamodb" else None
    return BOOKS[request.param](tmp_path, moto)


def test_follow_unfollow_and_followers(book: FollowBook) -> None:
    assert book.follow("u1", "Mia Santos", locale="de-DE")
    assert not book.follow("u1", "mia  santos")  # the same host, said differently
    assert book.follow("u2", "MIA SANTOS")
    assert book.follow("u2", "Sam")
    assert sorted((f.user_id, f.locale) for f in book.followers("mia santos")) == [
        ("u1", "de-DE"), ("u2", "en-US")]
    assert book.unfollow("u1", "Mia Santos") and not book.unfollow("u1", "Mia Santos")
    assert [f.user_id for f in book.followers("Mia Santos")] == ["u2"]
    assert book.followers("nobody") == []


def test_only_subscribed_followers_are_notified(book: FollowBook) -> None:
    for user in ("u1", "u2", "u3"):
        book.follow(user, "Dana Lee")
    book.set_subscribed("u2", True)
    book.set_subscribed("u3", True)
    book.set_subscribed("u3", False)
    assert book.is_subscribed("u2") and not book.is_subscribed("u3")
    assert [f.user_id for f in book.followers("dana lee", subscribed_only=True)] == ["u2"]
