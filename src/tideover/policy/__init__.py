"""Collection policy as code: the document, its checks, evaluation, diff and workflow.

Pure Python: no web or database framework is imported here.
"""

from tideover.policy.document import CompiledPolicy, json_schema, load_policy, parse_policy
from tideover.policy.evaluate import Action, Decision, decide
from tideover.policy.hashing import assignment_bucket, assignment_hash
from tideover.policy.model import Policy
from tideover.policy.problems import PolicyRejected, Problem

__all__ = [
    "Action",
    "CompiledPolicy",
    "Decision",
    "Policy",
    "PolicyRejected",
    "Problem",
    "assignment_bucket",
    "assignment_hash",
    "decide",
    "json_schema",
    "load_policy",
    "parse_policy",
]
