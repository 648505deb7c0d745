"""The prose of ``docs/compliance.md`` around the generated rule tables (see ``docs``)."""

INTRO = """\
# Compliance rules

Generated from the rule packs in `src/tideover/compliance/packs/` by
`python -m tideover.compliance.docs > docs/compliance.md`; a unit test fails when
this page and the packs disagree.  Do not edit it by hand.

Confidence: **A** = primary or official text seen; **B** = seen only in a
secondary summary or translation; **C** = unverified (including Tideover's own
baseline practice, such as holds that block every contact).  B and C parameters
live in the YAML packs and change without code.  Where two sources differ the
pack takes the stricter value and says so in the rule's note.

## How the contact gate reads the packs

Every planned contact passes `tideover.compliance.gate.check(attempt, ledger,
borrower, pack)`, which evaluates, in this order: holds (a hold blocks before
anything else is evaluated); consent and opt-outs; time windows in the
borrower's local time (allowed only if allowed in every candidate time zone; a
window `[start, end)` refuses the end minute itself; public holidays and
China's adjusted working days come from the `holidays` library); frequency
caps (days are the borrower's local calendar days; an N-day window is today and
the N-1 days before; planned attempts whose outcome is unknown count as both
connected and unanswered; inbound calls are not attempts); quiet periods after a
conversation (its day is day 1); third-party and contact-person rules, contact
at the place of work and the team of a field visit; message checks.  A decision
lists every rule that fired, explains each in English and Chinese, gives the
earliest instant the attempt would be allowed, and carries the pack version.

Facts the gate cannot know come with the attempt or the borrower:

- **Time-barred debts** (`time_barred` on the attempt; `US-TBD`, 12 CFR
  1006.26(b)).  The status comes with the debt: limitation periods differ by
  state and are not in the reference.  A message about a time-barred debt
  that threatens suit is refused ("we will sue", "legal action", "起诉"…);
  one saying the debt can no longer be sued on ("we will not sue you", "不会
  起诉") is not.  A legal referral is enforcement, not a contact:
  `gate.check_referral(LegalReferral(...), pack)` refuses the referral of a
  time-barred debt, with no earliest time (waiting does not help).  The daily
  cycle sends its legal-referral actions through it.
- **Voicemails** (`voicemail` on a call attempt, its text in `message`, the
  natural person it names in `caller_name`, the business in `sender_name`;
  `US-LCM`, 12 CFR 1006.2(j)).  Anyone may hear a voicemail, so it must be a
  limited-content message: a business name that does not indicate debt
  collection, a request to reply, a natural person's name and a telephone
  number are required; debt words and amounts of money are refused.  A
  voicemail without text lacks every required part.
- **The place of work** (`at_workplace` on the attempt;
  `employer_prohibits_contact` and `workplace_consent` on the borrower).
  `US-WORK` (15 USC 1692c(a)(3)) refuses contact there once the employer is
  known to prohibit it; `IE-WORK` (Consumer Credit Act 1995 s.46) refuses
  calls and visits there without the consumer's consent.  Contacting the
  employer itself is a third-party contact: refused by `US-3P` (not an allowed
  role) and by `CN-CONTACT-PERSON` (no unrelated third party).
- **Field visits** (`visitors`: each visitor's staff credential number, `""`
  for one without; `recorded`; `CN-VISIT`).  A visit is refused unless every
  visitor shows a credential, the visit is recorded and, when a platform sets
  `max_visitors`, the team is no larger.  `visitors: null` is a visit queued
  before its team is known (the daily cycle): its team is checked when it
  sets out; an attempt that gives no visitors at all has none.  Hours are
  `CN-HOURS`, as for every channel.

Overlays (`US-MA`, `US-NYC` on `US`; `IE` on `EU`) and platform overrides may
only make a rule stricter: a narrower window, a lower cap, a longer window for
the same cap, a longer quiet period, more holds, more message categories, a
wider scope.  A looser one is rejected with an error naming the rule.
"""

STORAGE = """\
## Command line, contact ledger and audit trail

```
tideover compliance rules --pack CN [--json]
tideover compliance text --pack CN "message" [--channel sms] [--actor creditor]
                         [--target debtor] [--sender NAME] [--json]
tideover compliance check --pack US --attempt FILE.json [--platform P] [--json]
tideover compliance record --platform P --attempt FILE.json --outcome no_answer
                           [--result promise_to_pay] [--at ISO] [--inbound] [--id ID]
tideover compliance hold add --platform P --borrower B --kind dispute --reason TEXT --by WHO
                           [--debt D] [--start ISO] [--end ISO] [--id ID] [--json]
tideover compliance hold lift --platform P --borrower B (--id ID | --kind KIND) --reason TEXT
                            --by WHO [--at ISO] [--json]
tideover compliance hold list --platform P --borrower B [--all] [--json]
tideover audit verify --platform P [--expected-head HASH] [--json]
```

`text` exits 1 when the message has a finding (every finding blocks sending);
`check` exits 1 when the attempt is denied and prints the rule ids, their
explanation (English or Chinese by locale) and the earliest allowed instant,
in UTC and in each candidate time zone; `audit verify` exits 1 when the chain
is broken and names each edited, deleted, reordered or re-hashed record.

Message text is read by the message checker's two detectors — the lexicon and
a learned classifier — after a normalisation that undoes evasions (traditional
characters, pinyin, leet, emoji, spacing).  What each category means and which
rules forbid it, the labelled corpus, the measured recall and false-positive
rate, and `tideover compliance text-eval` are in
[compliance-text.md](compliance-text.md).

### Attempt files

```json
{
  "attempt": {
    "borrower_id": "b1", "debt_id": "d1",
    "channel": "call", "actor": "agency",
    "planned_at": "2026-06-03T10:00:00-04:00",
    "target": "debtor", "recipient_id": null, "third_party_role": null,
    "number": "+1 212 555 0123", "automated": false,
    "debt_type": "consumer_loan", "message": null, "sender_name": null,
    "time_barred": false, "at_workplace": false,
    "voicemail": false, "caller_name": null,
    "visitors": [], "recorded": false
  },
  "borrower": {
    "time_zones": ["America/New_York"],
    "holds": [{"kind": "dispute", "debt_id": null, "until": null}],
    "opted_out": ["sms"], "automated_consent": [],
    "agreed_times": [{"start": "18:00", "end": "19:00", "weekdays": [0, 2]}],
    "debtor_reachable": true,
    "employer_prohibits_contact": false, "workplace_consent": false
  },
  "history": [{"at": "2026-06-02T09:00:00-04:00", "outcome": "no_answer"}]
}
```

Only `attempt` with its first five fields is required.  Every instant needs a
UTC offset; a naive one is refused.  Without `--platform` the ledger is the
file's `history` (each entry may also give `channel`, `actor`, `debt_id`,
`number` and `inbound`; debt and number default to the attempt's) and
`borrower.time_zones` is required.  With `--platform` the ledger is the
platform's stored contacts (`history` is refused), the time zones default to
the stored borrower's (address zone, else the phones' zones), the stored
holds not ended by the planned time join the file's `borrower.holds`, the pack
is tightened by the platform's rule overrides, and the decision is appended to
the platform's audit trail.

### Contact ledger

Table `contact_events`: one row per attempt (or inbound call) per platform,
with its channel, actor, target, debt, outcome (`planned`, `no_answer`,
`voicemail`, `connected`, `conversation`, `delivered`, `failed`) and, for a
conversation, its result (`promise_to_pay`, `refusal`, `dispute_raised`,
`complaint`).  An attempt recorded as `planned` gets its outcome later.
Phone numbers are stored only as their keyed look-up hash.  The gate stays in
process: the ledger of one borrower (for a single decision) or of a whole
platform since the packs' longest window (for a run) is loaded into the
compact in-memory index.

### Holds

Table `contact_holds`: per platform, each hold on a borrower (or on one of its
debts) with its kind (`dispute`, `cease_contact`, `legal_representation`,
`breathing_space`, `bankruptcy`, `deceased`, `complaint_under_investigation`),
start, optional planned end, reason and who raised it.  A hold applies from
its start until its planned end or its lifting, whichever comes first; a
lifted hold keeps its row with who lifted it, when and why.  A contact whose
result is `dispute_raised` raises a `dispute` hold on that debt, one whose
result is `complaint` a `complaint_under_investigation` hold on every debt,
in the same transaction as the contact and at most once per contact; changing
the result later does not lift it, only `hold lift` does.  Every hold added
or lifted is appended to the audit trail (`hold_added`, `hold_lifted`).
Which kinds block depends on the pack (e.g. a dispute blocks in `UK` through
`UK-DISP`).

### Platform rule overrides

A platform's settings (`tideover platform set CODE --settings FILE`) may hold
`rule_overrides`, `{pack: {rule id: {parameter: value}}}`, for example
`{"rule_overrides": {"US": {"US-7IN7-ATTEMPTS": {"limit": 5}}}}`.  They are
checked when the settings are made: an unknown pack, rule or parameter, or a
value looser than the pack's, is refused with an error naming the rule.
Overrides of a base pack reach its overlays (`US` overrides apply under
`US-MA` and `US-NYC`), base first; an overlay's own overrides must be at least
as strict again.  The gate run for the platform uses the tightened pack, whose
version differs from the shipped pack's, so each decision names the rules it
applied.

### Audit trail

Table `audit_records`: per platform, records numbered 1, 2, 3 … each holding
the SHA-256 of the previous record's hash and its own canonical JSON; the
payload is stored as that exact JSON text.  Database triggers refuse UPDATE
and DELETE (and TRUNCATE on PostgreSQL).  Table `audit_heads` keeps each
chain's last number and hash apart from the records, so records cut off the
end are caught; for stronger assurance keep the head elsewhere too and pass
it as `--expected-head`.  A gate decision keeps the pack version, the rule
ids, the earliest allowed instant and the attempt, with the number as its
keyed hash and the message as its SHA-256 only.
"""


LINT = """\
## Policy linter

```
tideover compliance lint POLICY.yaml [--pack CN ...] [--templates FILE] [--actor agency]
                         [--hours human_call=08:30-20:00 ...] [--sender NAME] [--json]
```

`tideover.compliance.lint.lint(policy, packs, *, templates=None, actor=None,
send_times=None, sender_name=None)` checks one policy version before it is
approved, against the packs given, or else the packs the policy names (its
`rule_packs` and its jurisdiction's pack: `GB` reads `UK`, other EU members
`EU`).  Each finding has a rule id, a severity, a location (segments,
treatment, step index, template) and an explanation in English and Chinese.
**Blocking** findings stop approval (`report.blocking`; the command exits 1);
**warnings** are for a person to read.

| check | rules | severity |
|---|---|---|
| a step's send window outside the pack's hours | time_window | blocking |
| a repeating step that must fall on a closed weekday | time_window | warning |
| more steps in a rolling window than a cap allows | frequency_cap | blocking |
| calls closer together than a quiet period | quiet_period | warning |
| automated calls or texts that need prior consent | consent | warning |
| third-party steps a pack forbids, or too often | third_party | blocking |
| scheduled contact-person steps | third_party | warning |
| no hardship route with relief; enforcement without offers | `UK-FORB`, `EU-FORB` | blocking |
| no segment reading vulnerability or difficulty | `UK-VULN`, `EU-ADVICE` | warning |
| a template failing the message checker | message, third_party | blocking |
| a template without text or without a sender name to check | `LINT-TEMPLATE-TEXT` | warning |
| human work without a queue | `LINT-QUEUE` | blocking |
| a legal referral a time-barred debt could reach | time_barred (`US-TBD`) | warning |
| a field visit under a pack with visit-team rules | visit (`CN-VISIT`) | warning |

A hardship route is a segment whose condition reads `hardship_flag` or
`vulnerable_flag` and which has relief offers; a legal referral is
enforcement, so its segment must offer forbearance first.  A calendar-month
cap is checked on every 31-day span (the worst month).  A contact-person step
is allowed only when the debtor cannot be reached, which only the gate knows.

A legal referral is kept away from time-barred debts when its segment's
condition excludes them (`... AND NOT time_barred`), an earlier segment takes
them all (`time_barred`; first match wins), or its treatment's `stop_when`
holds for them (`... OR time_barred`); anything else is a warning, not a
blocking finding, because the protection is the debt's status, not the
policy's shape: the gate refuses the referral of every debt known to be
time-barred whatever the policy says, and a policy condition reads the same
status (the catalogue feature `time_barred`, FALSE where there is no data)
and so cannot protect a debt the gate does not know to be time-barred.  UK
and EU forbearance, by contrast, block: there the policy is the only place the
relief route can exist.  A policy cannot say who makes a visit, so a field
visit under `CN-VISIT` is a warning naming what the gate will check.

Assumptions, because a policy says on which day a step acts but not at what
time or to whom:

- **Send times.** Steps carry no time of day, so each channel is assumed sent
  inside the dispatcher's window: 09:00-20:00 local for messages and calls,
  09:00-18:00 for visits; letters are posted and not checked.  `--hours` gives
  the windows a platform really uses.  The gate still checks every attempt at
  its real time.
- **Counts.** Caps are counted per treatment from its own steps, one attempt
  per step and day, on the treatment's clock; a cap on connected calls
  assumes every call is answered.  Several debts of one person, and accounts
  moving between segments, are left to the gate, which counts the whole
  ledger.
- **Actor.** Without `--actor` a rule binding any actor applies (the lender
  answers for its agencies); a finding from a narrower rule says whom it
  binds, e.g. Regulation F binds agencies and debt buyers.
- **Recipients.** A step addresses the debtor unless its template is declared
  for a `contact_person` or `third_party` in the templates file.
- **Templates.** `--templates` is YAML or JSON: `id: text`, or
  `id: {text: ..., target: contact_person, sender: Acme Finance}`.  Each
  template is checked once per channel and recipient, under every actor.
"""
