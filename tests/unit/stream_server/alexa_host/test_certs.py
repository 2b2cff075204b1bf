"""The signing-certificate caches: in memory, and on disk named by the URL's SHA-256."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from stream_server.alexa_host.certs import SigningCertificates
from stream_server.alexa_host.signing import RequestRejected
from tests.support.alexa_pki import CHAIN_URL, DAY, FakeFetcher, Pki, build_pki

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
CACHE_NAME = hashlib.sha256(CHAIN_URL.encode()).hexdigest()


@pytest.fixture
def pki() -> Pki:
    return build_pki(NOW)


def certificates(tmp_path: Path, pki: Pki, fetcher: FakeFetcher) -> SigningCertificates:
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(pki.root_pem())
    return SigningCertificates(fetcher=fetcher, ca_bundle=str(bundle),
                               cache_dir=str(tmp_path / "cache"), system_roots=False)


def test_a_fetched_chain_is_stored_under_the_sha256_of_its_url(tmp_path: Path, pki: Pki) -> None:
    certificates(tmp_path, pki, FakeFetcher({CHAIN_URL: pki.chain_pem()})).leaf_for(CHAIN_URL, at=NOW)
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [CACHE_NAME]
    assert (tmp_path / "cache" / CACHE_NAME).read_bytes() == pki.chain_pem()


def test_a_pre_provisioned_chain_means_no_fetch(tmp_path: Path, pki: Pki) -> None:
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / CACHE_NAME).write_bytes(pki.chain_pem())
    fetcher = FakeFetcher()
    leaf = certificates(tmp_path, pki, fetcher).leaf_for(CHAIN_URL, at=NOW)
    assert leaf == pki.leaf
    assert fetcher.calls == []


def test_a_cached_chain_whose_leaf_expired_is_fetched_again(tmp_path: Path, pki: Pki) -> None:
    stale = build_pki(NOW, leaf_from=-60 * DAY, leaf_until=-DAY)
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / CACHE_NAME).write_bytes(stale.chain_pem())
    fetcher = FakeFetcher({CHAIN_URL: pki.chain_pem()})
    assert certificates(tmp_path, pki, fetcher).leaf_for(CHAIN_URL, at=NOW) == pki.leaf
    assert fetcher.calls == [CHAIN_URL]
    assert (tmp_path / "cache" / CACHE_NAME).read_bytes() == pki.chain_pem()


def test_a_pre_provisioned_chain_is_still_verified(tmp_path: Path, pki: Pki) -> None:
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / CACHE_NAME).write_bytes(build_pki(NOW, ca="Other CA").chain_pem())
    with pytest.raises(RequestRejected, match="not trusted"):
        certificates(tmp_path, pki, FakeFetcher()).leaf_for(CHAIN_URL, at=NOW)


def test_a_rejected_chain_is_not_cached(tmp_path: Path, pki: Pki) -> None:
    fetcher = FakeFetcher({CHAIN_URL: build_pki(NOW, san="www.example.com").chain_pem()})
    with pytest.raises(RequestRejected):
        certificates(tmp_path, pki, fetcher).leaf_for(CHAIN_URL, at=NOW)
    assert not (tmp_path / "cache" / CACHE_NAME).exists()


def test_memory_holds_a_chain_until_its_leaf_expires(tmp_path: Path, pki: Pki) -> None:
    fetcher = FakeFetcher({CHAIN_URL: pki.chain_pem()})
    source = certificates(tmp_path, pki, fetcher)
    for _ in range(3):
        source.leaf_for(CHAIN_URL, at=NOW)
    assert fetcher.calls == [CHAIN_URL]
    with pytest.raises(RequestRejected, match="expired"):
        source.leaf_for(CHAIN_URL, at=NOW + 31 * DAY)
    assert fetcher.calls == [CHAIN_URL, CHAIN_URL]


def test_no_fetch_for_a_url_outside_the_rules(tmp_path: Path, pki: Pki) -> None:
    fetcher = FakeFetcher({CHAIN_URL: pki.chain_pem()})
    with pytest.raises(RequestRejected, match="not https"):
        certificates(tmp_path, pki, fetcher).leaf_for(CHAIN_URL.replace("https", "http"), at=NOW)
    assert fetcher.calls == []
