import pytest

# The source contract's base class is not a test_ module: have pytest rewrite its asserts too,
# so that a failing comparison shows what differs.
pytest.register_assert_rewrite("tests.contract.source_contract")
