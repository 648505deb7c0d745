"""Tideover's test suite: unit (pure logic and fakes), integration (real databases), e2e."""
