"""Straight to the SageMaker endpoint with boto3, skipping the API (from a notebook, a job, a Lambda).

One InvokeEndpoint call with up to a few thousand calculations (the body may be 6 MB); the container answers
each in order, a failed one as data ("status": "error", "error_code"). JSON Lines in, JSON Lines out.

    python3 examples/python/invoke_endpoint.py --endpoint-name calculator-prod --region us-east-1 < in.jsonl
    python3 examples/python/invoke_endpoint.py --endpoint-url http://127.0.0.1:8080 < in.jsonl   # npm run serve:container
"""

from __future__ import annotations

import argparse
import json
import sys

import boto3
from botocore.config import Config


def invoke(runtime, endpoint_name: str, calculations: list) -> list:
    response = runtime.invoke_endpoint(
        EndpointName=endpoint_name,
        ContentType="application/json",
        Accept="application/json",
        Body=json.dumps(calculations),
    )
    return json.loads(response["Body"].read())


def main() -> int:
    parser = argparse.ArgumentParser(description="Send JSON Lines of calculations to the endpoint in one call.")
    parser.add_argument("--endpoint-name", default="calculator")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--endpoint-url", help="a local endpoint (npm run serve:container), instead of SageMaker")
    args = parser.parse_args()
    options = {"region_name": args.region, "config": Config(connect_timeout=5, read_timeout=60, retries={"mode": "standard"})}
    if args.endpoint_url:
        # The local endpoint checks no signature: any static credentials do.
        options.update(endpoint_url=args.endpoint_url, aws_access_key_id="local", aws_secret_access_key="local")
    runtime = boto3.client("sagemaker-runtime", **options)
    calculations = [json.loads(line) for line in sys.stdin if line.strip()]
    for answer in invoke(runtime, args.endpoint_name, calculations):
        print(json.dumps(answer, separators=(",", ":"), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
