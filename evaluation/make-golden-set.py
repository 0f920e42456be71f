#!/usr/bin/env python3
"""Writes evaluation/golden-set.jsonl: the cases `calculator evaluate` runs through a model.

The expected values are computed here, in Python's own math library, independently of the calculator
engine (which is TypeScript): a second implementation of each operation's definition, including where it
is undefined (the error codes). Run it again after changing an operation's definition:

    python3 evaluation/make-golden-set.py

The output is deterministic (a fixed seed), so the committed file changes only when this script does.
"""
import json
import math
import random
import sys
from pathlib import Path

random.seed(20261202)
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("golden-set.jsonl")
cases = []


def add_case(operation, expected, **fields):
    request = {"operation": operation, **fields}
    cases.append({"id": f"{operation}-{len([c for c in cases if c['input']['operation'] == operation]) + 1:04d}",
                  "input": request, "expected": expected})


def ok(value):
    if isinstance(value, float) and (math.isinf(value) or math.isnan(value)):
        return {"error_code": "OVERFLOW"}
    return {"result": value}


def err(code):
    return {"error_code": code}


def numbers(count, low=-1e6, high=1e6):
    values = []
    for _ in range(count):
        kind = random.random()
        if kind < 0.4:
            values.append(random.randint(-1000, 1000))
        elif kind < 0.8:
            values.append(round(random.uniform(low, high), random.randint(0, 6)))
        else:
            values.append(random.choice([0, 1, -1, 0.5, 1e-300, 1e300, 2 ** 53, -(2 ** 53), 123456789.123]))
    return values


def checked(fn):
    try:
        return ok(fn())
    except OverflowError:
        return err("OVERFLOW")
    except ZeroDivisionError:
        return err("DIVISION_BY_ZERO")


# --- the four of the original system ---------------------------------------------------------------
for a, b in zip(numbers(150), numbers(150)):
    add_case("add", checked(lambda: float(a) + float(b)), a=a, b=b)
    add_case("subtract", checked(lambda: float(a) - float(b)), a=a, b=b)
    add_case("multiply", checked(lambda: float(a) * float(b)), a=a, b=b)
    add_case("divide", err("DIVISION_BY_ZERO") if b == 0 else checked(lambda: float(a) / float(b)), a=a, b=b)
for a in numbers(20):
    add_case("divide", err("DIVISION_BY_ZERO"), a=a, b=0)
# Extreme numbers: past the largest double is OVERFLOW; below the smallest is 0, not an error.
add_case("add", err("OVERFLOW"), a=1.7976931348623157e308, b=1.7976931348623157e308)
add_case("multiply", err("OVERFLOW"), a=1e308, b=10)
add_case("multiply", ok(0.0), a=5e-324, b=0.5)
add_case("subtract", err("OVERFLOW"), a=-1.7976931348623157e308, b=1.7976931348623157e308)
add_case("add", ok(9007199254740992.0), a=9007199254740991, b=1)

# --- power -----------------------------------------------------------------------------------------
def power(a, b):
    if a == 0 and b < 0:
        return err("DIVISION_BY_ZERO")
    if a < 0 and not float(b).is_integer():
        return err("DOMAIN_ERROR")
    return checked(lambda: math.pow(a, b))


for _ in range(150):
    a = random.choice([random.randint(-20, 20), round(random.uniform(0, 50), 3)])
    b = random.choice([random.randint(-10, 10), round(random.uniform(-5, 5), 2)])
    add_case("power", power(a, b), a=a, b=b)
for a, b in [(0, -1), (0, -2.5), (-8, 1 / 3), (-2, 0.5), (10, 400), (2, 1024), (2, -1080), (0, 0), (-2, 3)]:
    add_case("power", power(a, b), a=a, b=b)

# --- unary ------------------------------------------------------------------------------------------
for a in [abs(x) for x in numbers(120, 0, 1e9)] + [0, 1, 2, 1e-300, 1.7976931348623157e308]:
    add_case("sqrt", ok(math.sqrt(a)), a=a)
for a in [-1, -4, -1e-9, -1e300]:
    add_case("sqrt", err("DOMAIN_ERROR"), a=a)
for a in numbers(120) + [-0.0, 1.7976931348623157e308]:
    add_case("abs", ok(abs(float(a))), a=a)
for a in [random.uniform(-700, 700) for _ in range(100)] + [0, 1, -1, 709.7, -745]:
    add_case("exp", checked(lambda: math.exp(a)), a=a)
for a in [710, 1000, 1e300]:
    add_case("exp", err("OVERFLOW"), a=a)


def logarithm(a, base=None):
    if a <= 0:
        return err("DOMAIN_ERROR")
    if base is None:
        return ok(math.log(a))
    if base <= 0 or base == 1:
        return err("DOMAIN_ERROR")
    if base == 10:
        return ok(math.log10(a))
    if base == 2:
        return ok(math.log2(a))
    return ok(math.log(a) / math.log(base))


for a in numbers(60, 1e-9, 1e12):
    if a > 0:
        add_case("log", logarithm(a), a=a)
        base = random.choice([2, 10, 3, 0.5, 7.5])
        add_case("log", logarithm(a, base), a=a, b=base)
        add_case("log10", logarithm(a, 10), a=a)
for a, base in [(8, 2), (1000, 10), (81, 3), (1, 5), (0, None), (-1, None), (10, 1), (10, 0), (10, -2)]:
    add_case("log", logarithm(a, base), **({"a": a} if base is None else {"a": a, "b": base}))
for a in [0, -5, 1e-320, 1e308, 100000]:
    add_case("log10", logarithm(a, 10), a=a)


def floored_modulo(a, b):
    if b == 0:
        return err("DIVISION_BY_ZERO")
    return ok(math.fmod(a, b) if (math.fmod(a, b) == 0 or (math.fmod(a, b) < 0) == (b < 0)) else math.fmod(a, b) + b)


for a, b in zip(numbers(120, -1e4, 1e4), numbers(120, -100, 100)):
    add_case("modulo", floored_modulo(a, b), a=a, b=b)
for a, b in [(-7, 3), (7, -3), (7, 3), (-7, -3), (5, 0), (0, 5), (5.5, 2)]:
    add_case("modulo", floored_modulo(a, b), a=a, b=b)

for a, b in zip(numbers(120), numbers(120)):
    add_case("hypot", checked(lambda: math.hypot(a, b)), a=a, b=b)
add_case("hypot", err("OVERFLOW"), a=1.7976931348623157e308, b=1.7976931348623157e308)
add_case("hypot", ok(5.0), a=3, b=4)

for n in list(range(0, 171, 3)) + [170]:
    add_case("factorial", ok(float(math.factorial(n))), a=n)
for a, code in [(171, "OVERFLOW"), (1000, "OVERFLOW"), (-1, "DOMAIN_ERROR"), (2.5, "DOMAIN_ERROR")]:
    add_case("factorial", err(code), a=a)

# --- angles -----------------------------------------------------------------------------------------
def rad(degrees):
    return math.radians(degrees)


def tangent_degrees(d):
    if (d % 180) == 90:
        return err("DOMAIN_ERROR")
    return ok(math.tan(rad(d)))


special = [0, 30, 45, 60, 90, 120, 135, 150, 180, 210, 225, 270, 300, 315, 330, 360, -30, -90, 720, 450]
for d in special + [round(random.uniform(-1000, 1000), 3) for _ in range(80)]:
    add_case("sin", ok(math.sin(rad(d))), a=d)
    add_case("cos", ok(math.cos(rad(d))), a=d)
    add_case("tan", tangent_degrees(d), a=d)
# Radians: π/6-multiples are their exact degrees; odd multiples of π/2 have no tangent.
for k in range(-12, 13):
    x = k * math.pi / 12
    add_case("sin", ok(math.sin(rad(k * 15))), a=x, angle_unit="radians")
    add_case("cos", ok(math.cos(rad(k * 15))), a=x, angle_unit="radians")
    add_case("tan", tangent_degrees(k * 15), a=x, angle_unit="radians")
for x in [round(random.uniform(-10, 10), 5) for _ in range(40)]:
    add_case("sin", ok(math.sin(x)), a=x, angle_unit="radians")
    add_case("cos", ok(math.cos(x)), a=x, angle_unit="radians")

for v in [round(random.uniform(-1, 1), 4) for _ in range(60)] + [-1, -0.5, 0, 0.5, 1]:
    add_case("asin", ok(math.degrees(math.asin(v))), a=v)
    add_case("acos", ok(math.degrees(math.acos(v))), a=v)
    add_case("asin", ok(math.asin(v)), a=v, angle_unit="radians")
for v in [1.5, -2, 1.0000001]:
    add_case("asin", err("DOMAIN_ERROR"), a=v)
    add_case("acos", err("DOMAIN_ERROR"), a=v)
for v in numbers(60) + [1, -1, 0]:
    add_case("atan", ok(math.degrees(math.atan(v))), a=v)
    add_case("atan", ok(math.atan(v)), a=v, angle_unit="radians")

# --- expressions ------------------------------------------------------------------------------------
DEGREE_FUNCTIONS = {
    "sqrt": math.sqrt,
    "sin": lambda d: math.sin(rad(d)),
    "cos": lambda d: math.cos(rad(d)),
    "abs": abs,
    "hypot": math.hypot,
    "exp": math.exp,
    "pi": math.pi,
    "e": math.e,
}
templates = [
    "{a} + {b} * {c}",
    "({a} + {b}) * {c}",
    "{a} - {b} - {c}",
    "{a} / {b} / {c}",
    "2 ^ 3 ^ 2",
    "-{a} ^ 2",
    "({a} - {b}) ^ 2",
    "sqrt({a} * {a} + {b} * {b})",
    "hypot({a}, {b}) + {c}",
    "sin(30) + cos(60)",
    "abs({a} - {b}) / {c}",
    "pi * {a} ^ 2",
    "e ^ 2",
    "{a} % {c}",
    "-{a} % {c}",
]


def python_expression(text):
    # Our ^ is right-associative power and binds tighter than unary minus, as Python's ** does.
    return text.replace("^", "**")


for _ in range(300):
    template = random.choice(templates)
    a, b, c = random.randint(1, 50), random.randint(1, 50), random.randint(1, 20)
    text = template.format(a=a, b=b, c=c)
    try:
        value = eval(python_expression(text), {"__builtins__": {}}, DEGREE_FUNCTIONS)  # noqa: S307 (our own literals)
        expected = ok(float(value))
    except ZeroDivisionError:
        expected = err("DIVISION_BY_ZERO")
    add_case("evaluate", expected, expression=text)
for text, code in [("1 / 0", "DIVISION_BY_ZERO"), ("5 % 0", "DIVISION_BY_ZERO"), ("sqrt(-4)", "DOMAIN_ERROR"),
                   ("10 ^ 400", "OVERFLOW"), ("1 +", "INVALID_INPUT"), ("2 * (3 + 4", "INVALID_INPUT"),
                   ("foo(2)", "INVALID_INPUT"), ("", "INVALID_INPUT")]:
    add_case("evaluate", err(code), expression=text)

# --- inputs the model must refuse ----------------------------------------------------------------------
for operation in ["modulus", "ADD", "squareroot", "eval"]:
    add_case(operation, err("UNSUPPORTED_OPERATION"), a=1, b=2)
add_case("add", err("INVALID_INPUT"), a=1)
add_case("divide", err("INVALID_INPUT"), b=2)
add_case("sqrt", err("INVALID_INPUT"))
add_case("multiply", err("INVALID_INPUT"), a="ten", b=2)

with OUT.open("w") as out:
    for case in cases:
        out.write(json.dumps(case, separators=(",", ":")) + "\n")
print(f"wrote {len(cases)} cases to {OUT}")
