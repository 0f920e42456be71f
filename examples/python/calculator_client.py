"""A small client for the calculator API, for Python services (and the SageMaker users who live there).

It behaves as the TypeScript client in examples/typescript does:

- calculate_all() splits a job into batchCalculate calls of at most max_batch_items (the server's limit:
  MAX_BATCH_CALCULATE_ITEMS and MAX_CALCULATIONS_PER_REQUEST, 10,000 by default) and max_batch_bytes of
  inputs (half of MAX_REQUEST_BYTES, for long expressions), runs `concurrency` of them at once, and
  answers every input, in order, with its result or its own error;
- a request refused with 429 RATE_LIMITED or 503 OVERLOADED is sent again after its Retry-After (plus
  jitter), a lost connection or a 502/504 after an exponential backoff; calculations are safe to repeat;
- every wait has an end: max_attempts per batch, max_retry_after_s per wait, and timeout_s, which with
  requests bounds the connection and each read of the answer (requests has no deadline for the whole).

As a program: JSON Lines in (one CalculationInput per line), JSON Lines out, a summary on stderr.

    python3 examples/python/calculator_client.py --url http://localhost:4000/graphql < in.jsonl > out.jsonl
"""

from __future__ import annotations

import argparse
import email.utils
import json
import math
import os
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Optional

import requests

BATCH_CALCULATE = """
mutation BatchCalculate($inputs: [CalculationInput!]!) {
  batchCalculate(inputs: $inputs) { results { result status error { code message } } }
}
"""

INPUT_FIELDS = {"operation", "a", "b", "expression", "angleUnit"}
RETRY_STATUSES = {429, 503}
TRANSIENT_STATUSES = {502, 504}


class CalculatorApiError(Exception):
    """A request the API refused, or that never got an answer, after every attempt."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def shape_problem(item: Any) -> Optional[str]:
    """Why GraphQL would refuse this input as a whole request, or None when it may be sent.

    Operands are not checked: the API answers a wrong one as that item's INVALID_INPUT."""
    if not isinstance(item, dict):
        return 'an input must be an object like {"operation":"add","a":1,"b":2}'
    unknown = [key for key in item if key not in INPUT_FIELDS]
    if unknown:
        return f"unknown field '{unknown[0]}' (an input has operation, a, b, expression, angleUnit)"
    for operand in ("a", "b"):
        # JSON has no Infinity or NaN (1e400 parses as inf): such an operand could not be sent.
        value = item.get(operand)
        if isinstance(value, float) and not math.isfinite(value):
            return f"operand '{operand}' must be a finite number, got {'NaN' if math.isnan(value) else ('Infinity' if value > 0 else '-Infinity')}"
    if not isinstance(item.get("operation"), str):
        return "'operation' must be a string, e.g. \"add\""
    if item.get("expression") is not None and not isinstance(item["expression"], str):
        return "'expression' must be a string"
    if item.get("angleUnit") is not None and item["angleUnit"] not in ("DEGREES", "RADIANS"):
        return "'angleUnit' must be DEGREES or RADIANS"
    return None


def item_error(code: str, message: str) -> dict:
    return {"result": None, "status": "ERROR", "error": {"code": code, "message": message}}


class CalculatorClient:
    def __init__(
        self,
        url: str = "http://localhost:4000/graphql",
        api_key: Optional[str] = None,
        max_batch_items: int = 10_000,
        max_batch_bytes: int = 4 * 1024 * 1024,
        concurrency: int = 4,
        max_attempts: int = 6,
        timeout_s: float = 60.0,
        max_retry_after_s: float = 60.0,
        on_retry: Optional[Callable[[int, float], None]] = None,
    ) -> None:
        if min(max_batch_items, max_batch_bytes, concurrency, max_attempts) < 1:
            raise ValueError("max_batch_items, max_batch_bytes, concurrency and max_attempts must be at least 1")
        self.url = url
        self.api_key = api_key
        self.max_batch_items = max_batch_items
        self.max_batch_bytes = max_batch_bytes
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.timeout_s = timeout_s
        self.max_retry_after_s = max_retry_after_s
        self.on_retry = on_retry
        self.requests = 0
        self.retries = 0
        self._lock = threading.Lock()
        self._local = threading.local()

    def calculate_all(self, inputs: list) -> list:
        """Every input answered, in order: its calculation, or its own error. Never raises for one input."""
        results: list = [None] * len(inputs)
        sendable = []
        for index, item in enumerate(inputs):
            problem = shape_problem(item)
            if problem is None:
                sendable.append((index, item))
            else:
                results[index] = item_error("INVALID_INPUT", problem)
        # A new chunk when this one holds max_batch_items, or the next input would take it past max_batch_bytes.
        chunks, chunk, size = [], [], 0
        for entry in sendable:
            entry_size = len(json.dumps(entry[1], ensure_ascii=False).encode("utf-8")) + 1
            if chunk and (len(chunk) >= self.max_batch_items or size + entry_size > self.max_batch_bytes):
                chunks.append(chunk)
                chunk, size = [], 0
            chunk.append(entry)
            size += entry_size
        if chunk:
            chunks.append(chunk)
        with ThreadPoolExecutor(max_workers=max(1, min(self.concurrency, len(chunks)))) as pool:
            for chunk, answers in zip(chunks, pool.map(lambda c: self._batch([item for _, item in c]), chunks)):
                for (index, _), answer in zip(chunk, answers):
                    results[index] = answer
        return results

    def _batch(self, inputs: list) -> list:
        try:
            status, answer = self._request(BATCH_CALCULATE, {"inputs": inputs})
        except CalculatorApiError as failure:
            return [item_error(failure.code, failure.message) for _ in inputs]
        data = answer.get("data")
        if not data:
            failure = first_error(answer, status)
            return [item_error(failure.code, failure.message) for _ in inputs]
        by_index = {}
        for error in answer.get("errors") or []:
            path = error.get("path") or []
            if len(path) > 2 and isinstance(path[2], int):
                by_index[path[2]] = item_error((error.get("extensions") or {}).get("code", "INTERNAL_SERVER_ERROR"), error["message"])
        results = data["batchCalculate"]["results"]
        # One answer per input, whatever arrived: a missing entry is that input's error, never a hole.
        answers = []
        for index in range(len(inputs)):
            result = results[index] if index < len(results) else None
            if result is not None:
                answers.append(result)
            elif index in by_index:
                answers.append(by_index[index])
            else:
                missing = "no result and no error" if index < len(results) else "the answer has no entry for this input"
                answers.append(item_error("INTERNAL_SERVER_ERROR", missing))
        return answers

    def _session(self) -> requests.Session:
        # One session (and its keep-alive connections) per thread: a Session is not shared across threads.
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def _request(self, query: str, variables: dict) -> tuple:
        headers = {"content-type": "application/json", "accept": "application/graphql-response+json, application/json"}
        if self.api_key:
            headers["x-api-key"] = self.api_key
        body = json.dumps({"query": query, "variables": variables}, allow_nan=False)
        attempt = 1
        while True:
            with self._lock:
                self.requests += 1
            status, retry_after = 0, None
            try:
                response = self._session().post(self.url, data=body, headers=headers, timeout=(5, self.timeout_s))
                status, retry_after = response.status_code, response.headers.get("retry-after")
                try:
                    answer = response.json()
                except ValueError:
                    answer = None
                if isinstance(answer, dict) and status not in RETRY_STATUSES | TRANSIENT_STATUSES:
                    return status, answer
                failure = first_error(answer, status) if isinstance(answer, dict) else CalculatorApiError(f"HTTP_{status}", response.text[:200], status)
            except requests.RequestException as error:
                status = 0  # no answer, or the connection was lost while reading it: retried
                failure = CalculatorApiError("NETWORK", f"no answer from {self.url}: {error}", 0)
            retryable = status == 0 or status in RETRY_STATUSES | TRANSIENT_STATUSES
            if not retryable or attempt >= self.max_attempts:
                raise failure
            wait_s = self._wait_before_retry(attempt, retry_after)
            with self._lock:
                self.retries += 1
            if self.on_retry:
                self.on_retry(status, wait_s)
            time.sleep(wait_s)
            attempt += 1

    def _wait_before_retry(self, attempt: int, retry_after: Optional[str]) -> float:
        """Retry-After (seconds or an HTTP date) when the API sent one, else 0.5 s doubling; plus up to 20 % jitter."""
        seconds = 0.5 * 2 ** (attempt - 1)
        if retry_after is not None and retry_after.strip() != "":
            try:
                seconds = float(retry_after)
            except ValueError:
                try:
                    seconds = email.utils.parsedate_to_datetime(retry_after).timestamp() - time.time()
                except (TypeError, ValueError):
                    pass  # neither seconds nor a date: keep the backoff
        seconds = min(max(seconds, 0.0), self.max_retry_after_s)
        return seconds * (1 + random.random() * 0.2)


def first_error(answer: Any, status: int) -> CalculatorApiError:
    errors = (answer or {}).get("errors") or [{}]
    error = errors[0]
    return CalculatorApiError((error.get("extensions") or {}).get("code", f"HTTP_{status}"), error.get("message", "no data and no error"), status)


def main() -> int:
    parser = argparse.ArgumentParser(description="Run JSON Lines of calculations through the calculator API.")
    parser.add_argument("--url", default="http://localhost:4000/graphql")
    parser.add_argument("--api-key", default=os.environ.get("CALCULATOR_API_KEY"))
    parser.add_argument("--max-batch", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--max-attempts", type=int, default=6)
    args = parser.parse_args()
    client = CalculatorClient(
        url=args.url,
        api_key=args.api_key,
        max_batch_items=args.max_batch,
        concurrency=args.concurrency,
        max_attempts=args.max_attempts,
        on_retry=lambda status, wait_s: print(f"retrying after {status or 'no answer'} in {round(wait_s * 1000)} ms", file=sys.stderr),
    )
    lines = sys.stdin.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    inputs, not_json = [], {}
    for number, line in enumerate(lines, start=1):
        try:
            inputs.append(json.loads(line))
        except ValueError:
            not_json[number - 1] = item_error("INVALID_INPUT", f"line {number} is not JSON")
            inputs.append(None)
    answers = iter(client.calculate_all([item for index, item in enumerate(inputs) if index not in not_json]))
    results = [not_json[index] if index in not_json else next(answers) for index in range(len(inputs))]
    sys.stdout.write("".join(json.dumps(result, separators=(",", ":"), ensure_ascii=False) + "\n" for result in results))
    failed = sum(1 for result in results if result["status"] != "SUCCESS")
    print(
        f"{len(results)} calculations in {client.requests} request{'' if client.requests == 1 else 's'} ({client.retries} retried): "
        f"{len(results) - failed} succeeded, {failed} failed",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
