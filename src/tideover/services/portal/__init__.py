"""The borrower portal's use cases: a borrower's own loans, plans, requests and rights.

Every handler takes the signed-in borrower's id and reaches only their records:
a loan, application or plan of anyone else is "not found", in words that name
neither it nor the platform.
"""
