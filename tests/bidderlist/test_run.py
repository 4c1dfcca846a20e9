"""The bidder-list run against the live app: token renewal, safe retries, resuming without
screening twice."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path

import pytest

from service.bidderlist.errors import BidderListError
from service.bidderlist.reading import read_bytes
from service.bidderlist.remote import HttpScreener
from service.bidderlist.run import run
from tests.bidderlist.conftest import Served
from tests.support import unique_word


def bidders(count: int) -> bytes:
    _, word = unique_word()
    return ("ref,name\n" + "".join(f"b{i},{word} Supplier {i} LLP\n" for i in range(count))).encode()


def test_a_run_longer_than_the_token_lifetime_renews_the_token_before_it_expires(short_tokens: Served) -> None:
    listing = read_bytes(bidders(3), source="bidders.csv")
    tender = "T-" + secrets.token_hex(4)
    with HttpScreener(short_tokens.url, short_tokens.screener.client_id,
                      short_tokens.screener.client_secret) as screener:
        # Each batch is followed by a pause past the 2-second token's renewal point.
        result = run(listing, screener, options={"tender_ref": tender}, batch_size=1,
                     progress=lambda _: time.sleep(1.7))
        assert screener.tokens_issued == 3 and screener.unauthorized == 0
    assert len(result.outcomes) == 3 and all(o.result is not None for o in result.outcomes.values())
    assert short_tokens.receipts(tender) == 3


def test_a_token_refused_as_expired_is_renewed_once_and_the_batch_sent_again(short_tokens: Served) -> None:
    listing = read_bytes(bidders(2), source="bidders.csv")
    tender = "T-" + secrets.token_hex(4)
    started = time.monotonic()
    # A client whose clock runs slow believes its token still valid: the server says 401.
    slow = lambda: started + (time.monotonic() - started) / 100  # noqa: E731
    with HttpScreener(short_tokens.url, short_tokens.screener.client_id, short_tokens.screener.client_secret,
                      clock=slow) as screener:
        result = run(listing, screener, options={"tender_ref": tender}, batch_size=1,
                     progress=lambda _: time.sleep(3.2))  # past exp, in whole seconds
        assert screener.unauthorized == 1 and screener.tokens_issued == 2
    assert all(o.result is not None for o in result.outcomes.values())
    assert short_tokens.receipts(tender) == 2


class Interrupt(Exception):
    pass


def test_an_interrupted_run_resumes_from_its_state_without_screening_twice(served: Served, tmp_path: Path) -> None:
    listing = read_bytes(bidders(7), source="bidders.csv")
    tender = "T-" + secrets.token_hex(4)
    state = tmp_path / "run.state"
    finished = 0

    def stop_after_three(_: int) -> None:
        nonlocal finished
        finished += 1
        if finished == 3:
            raise Interrupt

    with HttpScreener(served.url, served.screener.client_id, served.screener.client_secret) as screener:
        with pytest.raises(Interrupt):
            run(listing, screener, options={"tender_ref": tender}, batch_size=2, state=state,
                progress=stop_after_three)
        assert served.receipts(tender) == 3
        # The third batch's answer is lost as if the process died before writing it down (a torn
        # last line): resumed, it is sent again with its key and the service replays its answer.
        lines = state.read_text().splitlines()
        assert len(lines) == 4
        state.write_text("\n".join(lines[:3]) + "\n" + lines[3][: len(lines[3]) // 2])
        resumed = run(listing, screener, options={"tender_ref": tender}, batch_size=2, state=state)
    assert resumed.resumed_batches == 2 and resumed.batches == 4
    assert served.receipts(tender) == 4  # 4 batches, 4 receipts: nothing was screened twice
    assert [row["ref"] for row in (o.result for o in resumed.outcomes.values()) if row] == [
        f"b{i}" for i in range(7)]
    assert len({s["screening_id"] for s in resumed.screenings}) == 4


def test_a_state_file_of_another_run_is_refused(served: Served, tmp_path: Path) -> None:
    state = tmp_path / "run.state"
    with HttpScreener(served.url, served.screener.client_id, served.screener.client_secret) as screener:
        run(read_bytes(bidders(1), source="a.csv"), screener, options={}, state=state)
        with pytest.raises(BidderListError, match="belongs to another run"):
            run(read_bytes(bidders(1), source="b.csv"), screener, options={}, state=state)
    assert json.loads(state.read_text().splitlines()[0])["kind"] == "debarlist-bidderlist-state"


def test_the_command_resumes_and_removes_its_state_when_the_report_is_written(served: Served,
                                                                             tmp_path: Path) -> None:
    from tests.bidderlist.test_command import screen

    path = tmp_path / "bidders.csv"
    path.write_bytes(bidders(4))
    tender = "T-" + secrets.token_hex(4)
    listing = read_bytes(path.read_bytes(), source=str(path))
    state = tmp_path / "report.csv.state"  # the command's default: beside the report
    with HttpScreener(served.url, served.screener.client_id, served.screener.client_secret) as screener, \
            pytest.raises(Interrupt):
        run(listing, screener, options={"tender_ref": tender}, batch_size=2, state=state,
            progress=lambda _: (_ for _ in ()).throw(Interrupt))
    assert served.receipts(tender) == 1
    result = screen(served, path, "-o", str(tmp_path / "report.csv"), "--tender-ref", tender, "--batch-size", "2")
    assert result.exit_code == 0, result.output
    assert served.receipts(tender) == 2 and not state.exists()
