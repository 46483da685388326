"""Scheduling scenarios: small jobs and the outcome every step of a run must end with.

One table, three uses:

- ``tests/integration/test_scheduling_table.py`` runs every job in process, in the multiprocess
  executor and on Celery workers, and checks each run against ``expected`` and ``success``.
- Unit tests of the pure scheduling core can replay a scenario without running any op: build the
  plan with ``build_plan(scenario.job)`` and complete each ready step as ``scenario.script`` says
  (see :class:`StepScript`); the step outcomes must again be ``scenario.expected``.
- Workers import the jobs from here by name (``tests.scheduling_scenarios:<job>``), so this module
  must stay importable from the project root and keep its jobs at module level.

Outcomes are what the run's events say per step key (STEP_SUCCESS, STEP_FAILURE, STEP_SKIPPED):
the table means the same whatever schedules the steps. A step key absent from ``expected`` must
have no outcome event at all (e.g. mapped steps of a dynamic output that yielded nothing).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from orchestrator import DynamicOut, DynamicOutput, Out, Output, graph, job, op
from orchestrator.definitions.jobs import JobDefinition

__all__ = ["Scenario", "StepScript", "SCENARIOS", "SCENARIOS_BY_NAME", "KNOWN_BUGS", "Boom"]

Outcome = Literal["success", "failure", "skipped"]


class Boom(Exception):
    """The one exception the scenarios' failing ops raise."""


@dataclass(frozen=True)
class StepScript:
    """What one step reports when it finishes, for replaying a scenario without running its op.

    ``outputs`` lists the outputs it yields, as ``(output_name, mapping_key)``; ``None`` means every
    declared output once, without a mapping key (the ordinary case). A failed step yields nothing.
    """

    status: Literal["success", "failure"] = "success"
    outputs: tuple[tuple[str, str | None], ...] | None = None


FAILS = StepScript("failure")


@dataclass(frozen=True)
class Scenario:
    """A job, the outcome each of its steps must reach, and whether the run succeeds.

    ``script`` holds the steps that do not simply succeed with every declared output (failures,
    optional outputs left out, dynamic outputs with their mapping keys); steps it omits do.
    """

    name: str
    job: JobDefinition
    expected: Mapping[str, Outcome]
    success: bool
    script: Mapping[str, StepScript] = field(default_factory=dict)
    description: str = ""


# -- ops (trivial: the table is about scheduling, not work) -------------------------------------


@op
def one() -> int:
    return 1


@op
def two() -> int:
    return 2


@op
def three() -> int:
    return 3


@op
def add_one(x: int) -> int:
    return x + 1


@op
def double(x: int) -> int:
    return 2 * x


@op
def sum_all(values: list[int]) -> int:
    return sum(values)


@op
def fail(x: int) -> int:
    raise Boom(f"scheduled failure on {x}")


@op
def fail_alone() -> int:
    raise Boom("scheduled failure")


@op(out={"produced": Out(int), "missing": Out(int, is_required=False)})
def only_produced() -> Iterator[Output]:
    yield Output(1, output_name="produced")


@op(out={"left": Out(int), "right": Out(int)})
def split() -> Iterator[Output]:
    yield Output(10, output_name="left")
    yield Output(20, output_name="right")


@op(out=DynamicOut(int))
def emit_three() -> Iterator[DynamicOutput]:
    for i in range(3):
        yield DynamicOutput(i, mapping_key=f"k{i}")


@op(out=DynamicOut(int))
def emit_none() -> Iterator[DynamicOutput]:
    yield from ()


@op(out=DynamicOut(int))
def emit_fails() -> Iterator[DynamicOutput]:
    raise Boom("dynamic source failed before yielding")
    yield DynamicOutput(0, mapping_key="k0")  # pragma: no cover - makes this a generator


@op
def fail_on_one(x: int) -> int:
    if x == 1:
        raise Boom("mapped step k1 failed")
    return x


@op
def add(x: int, y: int) -> int:
    return x + y


@op(out=DynamicOut(int))
def emit_outer() -> Iterator[DynamicOutput]:
    """Two outer elements: ``a`` (whose inner map yields two keys) and ``b`` (one key)."""
    yield DynamicOutput(2, mapping_key="a")
    yield DynamicOutput(1, mapping_key="b")


@op(out=DynamicOut(int))
def emit_outer_b_empty() -> Iterator[DynamicOutput]:
    """Outer elements ``a`` (two inner keys) and ``b``, whose inner map yields none."""
    yield DynamicOutput(2, mapping_key="a")
    yield DynamicOutput(0, mapping_key="b")


@op(out=DynamicOut(int))
def emit_inner(x: int) -> Iterator[DynamicOutput]:
    """``x`` inner elements ``k0``.. with values 0.. (mapped over an outer dynamic output)."""
    for i in range(x):
        yield DynamicOutput(i, mapping_key=f"k{i}")


@op(out=DynamicOut(int))
def emit_inner_fails_on_one(x: int) -> Iterator[DynamicOutput]:
    if x == 1:
        raise Boom("inner dynamic step b failed before yielding")
    for i in range(x):
        yield DynamicOutput(i, mapping_key=f"k{i}")


# -- jobs ----------------------------------------------------------------------------------------


@job
def sched_chain():
    add_one.alias("c3")(add_one.alias("c2")(add_one.alias("c1")(one())))


@job
def sched_fan_in():
    sum_all([one(), two(), three()])


@job
def sched_optional_output():
    produced, missing = only_produced()
    add_one.alias("after_produced")(produced)
    double.alias("after_after_missing")(add_one.alias("after_missing")(missing))


@job
def sched_failure_in_middle():
    add_one.alias("tail2")(add_one.alias("tail1")(fail(one())))
    double.alias("side2")(double.alias("side1")(two()))


@job
def sched_fan_in_one_fails():
    sum_all([one(), fail_alone(), three()])


@job
def sched_fan_in_behind_failure():
    sum_all([one(), add_one(fail_alone())])


@job
def sched_fan_in_one_upstream_skipped():
    _, missing = only_produced()
    sum_all([one(), add_one(missing)])


@job
def sched_dynamic():
    sum_all(emit_three().map(double).collect())


@job
def sched_dynamic_zero_keys():
    sum_all(emit_none().map(double).collect())


@job
def sched_dynamic_mapped_fails():
    sum_all(emit_three().map(fail_on_one).collect())
    double(one())


@job
def sched_dynamic_source_fails():
    sum_all(emit_fails().map(double).collect())
    add_one(one())


@job
def sched_dynamic_two_maps():
    sum_all(emit_three().map(add_one).map(double).collect())


@job
def sched_dynamic_two_maps_first_fails():
    sum_all(emit_three().map(fail_on_one).map(double).collect())


@graph
def inner(x):
    return double(x)


@graph
def outer(x):
    return inner(add_one(x))


@job
def sched_nested_graph():
    add_one.alias("after_outer")(outer(one()))


@graph
def inner_failing(x):
    return fail(x)


@graph
def outer_failing(x):
    return double(inner_failing(add_one(x)))


@job
def sched_nested_graph_fails():
    add_one.alias("after_outer")(outer_failing(one()))
    double.alias("beside")(two())


@job
def sched_multi_output_branches():
    left, right = split()
    double.alias("left_branch2")(add_one.alias("left_branch")(left))
    add_one.alias("right_branch")(right)


# Nested dynamic mapping: a map inside a map, each level collected (inside, then outside).
def _per_outer(x):
    return sum_all.alias("per_outer")(emit_inner(x).map(double).collect())


@job
def sched_nested_dynamic():
    sum_all.alias("total")(emit_outer().map(_per_outer).collect())


@job
def sched_nested_dynamic_outer_value_inside():
    def for_each(x):
        return sum_all.alias("per_outer")(emit_inner(x).map(lambda y: add(y, x)).collect())

    sum_all.alias("total")(emit_outer().map(for_each).collect())


@job
def sched_nested_dynamic_inner_element_fails():
    def for_each(x):
        return sum_all.alias("per_outer")(emit_inner(x).map(fail_on_one).collect())

    sum_all.alias("total")(emit_outer().map(for_each).collect())


@job
def sched_nested_dynamic_inner_source_fails():
    def for_each(x):
        return sum_all.alias("per_outer")(emit_inner_fails_on_one.alias("emit_inner")(x).map(double).collect())

    sum_all.alias("total")(emit_outer().map(for_each).collect())
    add_one(one())


@job
def sched_nested_dynamic_element_without_inner_keys():
    sum_all.alias("total")(emit_outer_b_empty().map(_per_outer).collect())


@job
def sched_nested_dynamic_outer_yields_nothing():
    sum_all.alias("total")(emit_none().map(_per_outer).collect())


def _mapped(step: str, outcome: Outcome = "success") -> dict[str, Outcome]:
    """The three mapped steps of ``step`` over ``emit_three``'s keys, all with ``outcome``."""
    return {f"{step}[k{i}]": outcome for i in range(3)}


_THREE_KEYS = StepScript(outputs=tuple(("result", f"k{i}") for i in range(3)))


def _keys(*keys: str) -> StepScript:
    return StepScript(outputs=tuple(("result", k) for k in keys))


# What the nested scenarios' dynamic steps yield: outer a and b; inner a: k0, k1; inner b: k0.
_NESTED = {"emit_outer": _keys("a", "b"), "emit_inner[a]": _keys("k0", "k1"), "emit_inner[b]": _keys("k0")}


def _nested(work: str, changes: Mapping[str, Outcome | None] | None = None) -> dict[str, Outcome]:
    """The steps of a nested scenario whose inner mapped op is ``work``, all succeeding, with
    ``changes`` applied (step key -> outcome; None: the step must not exist)."""
    steps: dict[str, Outcome] = {
        "emit_outer": "success", "emit_inner[a]": "success", "emit_inner[b]": "success",
        f"{work}[a,k0]": "success", f"{work}[a,k1]": "success", f"{work}[b,k0]": "success",
        "per_outer[a]": "success", "per_outer[b]": "success", "total": "success",
    }
    for key, outcome in (changes or {}).items():
        if outcome is None:
            del steps[key]
        else:
            steps[key] = outcome
    return steps


SCENARIOS: list[Scenario] = [
    Scenario(
        "chain", sched_chain,
        {"one": "success", "c1": "success", "c2": "success", "c3": "success"},
        success=True, description="one -> c1 -> c2 -> c3",
    ),
    Scenario(
        "fan_in", sched_fan_in,
        {"one": "success", "two": "success", "three": "success", "sum_all": "success"},
        success=True, description="sum_all([one(), two(), three()])",
    ),
    Scenario(
        "optional_output_not_produced", sched_optional_output,
        {"only_produced": "success", "after_produced": "success",
         "after_missing": "skipped", "after_after_missing": "skipped"},
        success=True, script={"only_produced": StepScript(outputs=(("produced", None),))},
        description="an Out(is_required=False) never yielded: its consumers skip, the other branch runs, "
                    "and the run still succeeds",
    ),
    Scenario(
        "failure_in_middle", sched_failure_in_middle,
        {"one": "success", "fail": "failure", "tail1": "skipped", "tail2": "skipped",
         "two": "success", "side1": "success", "side2": "success"},
        success=False, script={"fail": FAILS},
        description="one -> fail -> tail1 -> tail2 beside two -> side1 -> side2",
    ),
    Scenario(
        "fan_in_one_upstream_fails", sched_fan_in_one_fails,
        {"one": "success", "fail_alone": "failure", "three": "success", "sum_all": "skipped"},
        success=False, script={"fail_alone": FAILS},
        description="sum_all([one(), fail_alone(), three()])",
    ),
    Scenario(
        "fan_in_behind_failed_upstream", sched_fan_in_behind_failure,
        # add_one is skipped *because of* a failure: that skip is not an optional output left out,
        # so the fan-in must not run on the remaining values (as in Dagster, which abandons it).
        {"one": "success", "fail_alone": "failure", "add_one": "skipped", "sum_all": "skipped"},
        success=False, script={"fail_alone": FAILS},
        description="sum_all([one(), add_one(fail_alone())])",
    ),
    Scenario(
        "fan_in_one_upstream_skipped", sched_fan_in_one_upstream_skipped,
        # A fan-in skips only when none of its sources was produced; here it runs on [1].
        {"only_produced": "success", "one": "success", "add_one": "skipped", "sum_all": "success"},
        success=True, script={"only_produced": StepScript(outputs=(("produced", None),))},
        description="sum_all([one(), add_one(<optional output not yielded>)])",
    ),
    Scenario(
        "dynamic_map_collect", sched_dynamic,
        {"emit_three": "success", **_mapped("double"), "sum_all": "success"},
        success=True, script={"emit_three": _THREE_KEYS},
        description="sum_all(emit_three().map(double).collect())",
    ),
    Scenario(
        "dynamic_zero_keys", sched_dynamic_zero_keys,
        # No mapped step exists: the mapped node is reported skipped under its own name (no
        # "double[...]" key), and collect runs on an empty list.
        {"emit_none": "success", "double": "skipped", "sum_all": "success"},
        success=True, script={"emit_none": StepScript(outputs=())},
        description="sum_all(emit_none().map(double).collect()) with no DynamicOutput yielded",
    ),
    Scenario(
        "dynamic_one_mapped_fails", sched_dynamic_mapped_fails,
        {"emit_three": "success", "fail_on_one[k0]": "success", "fail_on_one[k1]": "failure",
         "fail_on_one[k2]": "success", "sum_all": "skipped", "one": "success", "double": "success"},
        success=False, script={"emit_three": _THREE_KEYS, "fail_on_one[k1]": FAILS},
        description="one mapped step fails: collect skipped, the other mapped steps and a parallel op run",
    ),
    Scenario(
        "dynamic_source_fails", sched_dynamic_source_fails,
        # The mapping keys are never known: the mapped node is reported skipped under its own name.
        {"emit_fails": "failure", "double": "skipped", "sum_all": "skipped", "one": "success",
         "add_one": "success"},
        success=False, script={"emit_fails": FAILS},
        description="the dynamic op fails before yielding: collect skipped, a parallel op runs",
    ),
    Scenario(
        "dynamic_two_maps", sched_dynamic_two_maps,
        {"emit_three": "success", **_mapped("add_one"),
         **_mapped("double"), "sum_all": "success"},
        success=True, script={"emit_three": _THREE_KEYS},
        description="sum_all(emit_three().map(add_one).map(double).collect())",
    ),
    Scenario(
        "dynamic_two_maps_first_fails", sched_dynamic_two_maps_first_fails,
        {"emit_three": "success", "fail_on_one[k0]": "success", "fail_on_one[k1]": "failure",
         "fail_on_one[k2]": "success", "double[k0]": "success", "double[k1]": "skipped",
         "double[k2]": "success",
         # double[k1] is skipped because of a failure, so collect must not run on a partial list.
         "sum_all": "skipped"},
        success=False, script={"emit_three": _THREE_KEYS, "fail_on_one[k1]": FAILS},
        description="a chain of two maps where k1 fails in the first: only k1 of the second skips",
    ),
    Scenario(
        "nested_dynamic", sched_nested_dynamic, _nested("double"),
        success=True, script=_NESTED,
        description="a map inside a map: total(emit_outer().map(lambda x: "
                    "per_outer(emit_inner(x).map(double).collect())).collect())",
    ),
    Scenario(
        "nested_dynamic_outer_value_inside", sched_nested_dynamic_outer_value_inside, _nested("add"),
        success=True, script=_NESTED,
        description="the inner mapped op also takes the outer element: emit_inner(x).map(lambda y: add(y, x))",
    ),
    Scenario(
        "nested_dynamic_inner_element_fails", sched_nested_dynamic_inner_element_fails,
        # Only element a's collect and the total are abandoned; element b is collected.
        _nested("fail_on_one", {"fail_on_one[a,k1]": "failure", "per_outer[a]": "skipped", "total": "skipped"}),
        success=False, script={**_NESTED, "fail_on_one[a,k1]": FAILS},
        description="one inner mapped step fails: its outer element's collect and the total skip",
    ),
    Scenario(
        "nested_dynamic_inner_source_fails", sched_nested_dynamic_inner_source_fails,
        # No inner keys are known for b: its inner template is reported skipped under "double[b,?]".
        _nested("double", {"emit_inner[b]": "failure", "double[b,k0]": None, "double[b,?]": "skipped",
                           "per_outer[b]": "skipped", "total": "skipped", "one": "success", "add_one": "success"}),
        success=False, script={**_NESTED, "emit_inner[b]": FAILS},
        description="the inner dynamic op of outer element b fails: b's collect and the total skip, a runs",
    ),
    Scenario(
        "nested_dynamic_element_without_inner_keys", sched_nested_dynamic_element_without_inner_keys,
        # Outer element b's inner map yields nothing: its collect runs on [], as at the top level.
        _nested("double", {"emit_outer": None, "emit_outer_b_empty": "success", "double[b,k0]": None,
                           "double[b,?]": "skipped"}),
        success=True, script={"emit_outer_b_empty": _keys("a", "b"), "emit_inner[a]": _keys("k0", "k1"),
                              "emit_inner[b]": _keys()},
        description="one outer element yields no inner keys: its per-outer collect gets []",
    ),
    Scenario(
        "nested_dynamic_outer_yields_nothing", sched_nested_dynamic_outer_yields_nothing,
        # No element at all: every template is reported skipped under its own name; total gets [].
        {"emit_none": "success", "emit_inner": "skipped", "double": "skipped", "per_outer": "skipped",
         "total": "success"},
        success=True, script={"emit_none": _keys()},
        description="the outer dynamic op yields nothing: the total collects []",
    ),
    Scenario(
        "nested_graph", sched_nested_graph,
        {"one": "success", "outer.add_one": "success", "outer.inner.double": "success",
         "after_outer": "success"},
        success=True, description="one -> outer(add_one -> inner(double)) -> after_outer",
    ),
    Scenario(
        "nested_graph_fails", sched_nested_graph_fails,
        {"one": "success", "outer_failing.add_one": "success", "outer_failing.inner_failing.fail": "failure",
         "outer_failing.double": "skipped", "after_outer": "skipped", "two": "success", "beside": "success"},
        success=False, script={"outer_failing.inner_failing.fail": FAILS},
        description="a failure two graphs deep skips what follows it inside and outside the graphs",
    ),
    Scenario(
        "multi_output_branches", sched_multi_output_branches,
        {"split": "success", "left_branch": "success", "left_branch2": "success", "right_branch": "success"},
        success=True, description="split() -> left, right; each output feeds its own branch",
    ),
]

SCENARIOS_BY_NAME: dict[str, Scenario] = {s.name: s for s in SCENARIOS}

# Scenarios an executor is known to get wrong, by name, with the bug: tests mark them strict xfail
# (so a fix shows up as a failure asking to remove the entry). Keep the table's answer right.
# Empty now: at 5eedcaf every executor ran a fan-in or collect on the remaining values behind a
# step skipped for an upstream failure (fan_in_behind_failed_upstream,
# dynamic_two_maps_first_fails); the rewritten scheduling core skips them, as DESIGN §5 says.
KNOWN_BUGS: dict[str, str] = {}
