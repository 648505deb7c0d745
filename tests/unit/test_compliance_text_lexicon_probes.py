"""The lexicon alone on lawful English texts of kinds the training split has few of.

Scam warnings that quote a fake official in single or double quotes or after "saying";
quizzes and rule lists that name what must not be said without quotation marks; staff
posters and codes of conduct; negations that reach over a clause ("That doesn't mean …
you'll be arrested"); the sender's regulator or licenser named; and everyday uses of the
lexicon's words (landlord, rent, gift card, deport, jail, police, sheriff, bailiff, court,
employer, neighbours).  None was written from a corpus row (71 are training rows since,
`en-tr-4126` to `en-tr-4196`).  ``LEFT_OUT`` are the eight
rows the English training split left out on 2026-12-07 because the lexicon alone blocked
them.  Before the rules of docs/compliance-text.md (*Normalisation*, last paragraph) the
lexicon alone blocked 51 of the 121 ``LEFT_OUT``, ``LAWFUL`` and ``UNREAD`` lawful probes;
after them, the three of ``UNREAD`` written with them.  ``FRESH`` were written after the
rules, as a measure on texts they were not fitted to: the lexicon blocked 17 of those 30
before the rules and 7 on first reading after them; two of those seven remain (``UNREAD``).
``UNREAD`` are the lawful probes no general rule reads yet, each with the reason.

``GIVEN``, ``FRESH_A`` and ``FRESH_B`` name their recipient (a third party is blocked by
disclosure too): ``GIVEN`` are six lawful rows the training split left out because the lexicon
alone blocked them (a sheriff's powers explained, a record denied, a letter to a deceased
borrower's personal representatives, a deputy's order acknowledged, a letter the person may
show their landlord); ``FRESH_A`` (60) were written before the lexicon read them, and it
blocked 9; ``FRESH_B`` (40) were written after the rules for those (docs/compliance-text.md,
*Normalisation*: an officer's powers said of the office, a court-appointed deputy, a record
denied, the person's own choice to show or tell, a message to a representative), before the
lexicon read them: it blocked 5 on first reading, and none after the rules were widened to
their classes.  All 106 are training rows since (``en-tr-4521`` to ``en-tr-4626``).

Beside them, abusive texts with the same words (a real threat of arrest, a real
impersonation, a real demand for gift cards), some shaped like the lawful ones' forms (a
list under a heading that bans nothing, a negation of a way out, a colon before the
threat), and the words of ``GIVEN`` and ``FRESH`` used abusively (the sender announcing itself
as the sheriff, "your deputy sheriff", "we'll tell your landlord", the loan told to a
neighbour, an executor told to pay; ``ABUSIVE_TO_THIRD_PARTIES``): each stays blocked with its
category.
"""

from __future__ import annotations

import pytest

from tideover.compliance.text import MessageChecker, default_lexicon
from tideover.compliance.textcheck.corpus import BLOCKING

TO_DEBTOR = BLOCKING["debtor"]

LEFT_OUT = [
    (
        "Missing a payment can add a late fee and will show on your credit file. That doesn't "
        "mean the police will get involved or that you'll be arrested; this is a civil debt, "
        "and we would much rather agree a plan with you."
    ),
    (
        "Thanks for letting us know your landlord is raising the rent from next month. Send us "
        "your new budget and we will look at lowering your monthly payment."
    ),
    (
        "A customer told us about a call this week. The caller introduced himself as "
        "'Detective Inspector Grant' and asked for payment over the phone. We have reported "
        "it. Our staff never call as police officers, and we only take payment through the app "
        "or our bank account."
    ),
    (
        "Some customers have received texts saying 'bailiffs are on their way to your address "
        "today'. We did not send them. If you get one, do not click any link and call us on "
        "the number printed on your statement."
    ),
    (
        "Compliance quiz, question 3. Which of these is a breach of the collections code? (a) "
        "telling the customer they will be deported if they do not pay (b) offering a "
        "three-month payment break (c) sending the annual statement by post."
    ),
    (
        "Poster for the collections floor: WE DON'T THREATEN. WE DON'T LIE ABOUT THE LAW. WE "
        "DON'T SHAME ANYONE IN FRONT OF FAMILY, FRIENDS OR EMPLOYERS. WE LISTEN FIRST."
    ),
    (
        "Update to the payments policy: from 1 March staff may no longer accept payment by "
        "gift card, money order or cash in hand. Customers pay through the app, by bank "
        "transfer to our account, or by debit card over the phone."
    ),
    (
        "The Colorado Attorney General's office licenses collection agencies in the state. Our "
        "licence number appears at the foot of every letter we send."
    ),
]

LAWFUL = [
    (
        "Scam warning for our customers: a man has been phoning people and introducing himself "
        "as 'Sergeant Miller from the fraud squad'. We have no connection with him. Hang up "
        "and call us on the number on our website."
    ),
    (
        "We have heard from two customers about a voicemail that says 'this is the sheriff's "
        "office, there is a warrant for your arrest'. It did not come from us and it is not "
        "genuine."
    ),
    (
        "Watch out for emails signed 'Court Enforcement Unit' that ask you to pay a fee by "
        "gift card. Real court staff never ask for gift cards."
    ),
    (
        "A caller claiming to be 'Officer Davies from the county police' has been asking our "
        "customers for card details. Please report any such call to us."
    ),
    (
        "Texts reading 'final notice from the District Attorney' are not from any government "
        "office. Delete them and do not reply."
    ),
    (
        "A few customers were told on the phone that 'the bailiffs will be round tomorrow to "
        "take your furniture'. That was not us. Our records show no enforcement on your "
        "account."
    ),
    (
        "If someone calls saying 'I'm a federal agent and you must pay now', put the phone "
        "down. We will never call you like that."
    ),
    (
        "Our fraud team has seen letters headed 'Department of Justice - Debt Division'. There "
        "is no such department. Please send us a photo of any letter like this."
    ),
    (
        "One customer received a WhatsApp message saying 'the police will collect you at work "
        "if the loan is not paid today'. It was fake, and we have told the police about it."
    ),
    (
        "Someone has been sending messages that say 'Deputy Harris, Sheriff's Department' at "
        "the bottom. They are not from us and not from any sheriff. Do not pay them."
    ),
    (
        "Reminder to customers: a letter that says 'you will go to prison within seven days' "
        "did not come from Northgate Finance. We do not write letters like that."
    ),
    (
        "A caller last week said 'we are the enforcement officers for your loan company' and "
        "asked for cash. We do not use enforcement officers, and we never collect cash at the "
        "door."
    ),
    (
        'Fraud alert: people are receiving calls from someone saying "This is Detective '
        'Ramos, you will be arrested tonight". It is a scam. Hang up.'
    ),
    (
        "We've been told about calls from a man claiming to be a court officer and saying that "
        "a warrant has been issued. No warrant has been issued on any of our accounts."
    ),
    (
        "Beware of a text claiming that your wages will be seized by the sheriff tomorrow "
        "unless you buy gift cards. We would never ask for that."
    ),
    (
        "Customers have told us about a caller saying he works for the Attorney General and "
        "needs a payment today. He does not. Call us if you are unsure."
    ),
    (
        'A message going round says "Your case has been passed to law enforcement". It is a '
        "phishing message and is not from us."
    ),
    (
        "Some people have received calls from a number claiming to be the police department, "
        "saying they owe a fine. Nobody from our company makes these calls."
    ),
    (
        "Training question 7. Which of the following is not allowed on a collections call? a) "
        "telling the customer the police will arrest them b) explaining the balance c) "
        "offering a payment plan."
    ),
    (
        "Module 2 quiz. Which of these statements breaks the rules? 1. You will go to jail if "
        "you do not pay. 2. You can ask for a breathing space. 3. We can set up a payment "
        "plan."
    ),
    (
        "True or false: an agent may tell a customer that their employer will be contacted "
        "about the debt. Answer: false."
    ),
    (
        "Spot the breach in this call summary. The agent said the customer would be arrested, "
        "then offered a plan. The breach is the first statement."
    ),
    (
        "Things you must never say to a customer:\n- that they will be arrested\n- that we "
        "will tell their employer\n- that they can pay into a personal account\n- that they "
        "are a deadbeat"
    ),
    (
        "Red lines for all agents: no threats of arrest or jail; no contact with employers or "
        "neighbours about the debt; no requests for gift cards or personal transfers."
    ),
    (
        "Induction checklist, prohibited practices: (1) implying you are a lawyer or a police "
        "officer (2) threatening to tell the customer's family (3) asking for payment into "
        "your own account."
    ),
    (
        "Refresher test for new starters. Question 1: Is it acceptable to say a customer will "
        "be deported? Question 2: Is it acceptable to mention a court claim we have actually "
        "filed?"
    ),
    (
        "Examples of unlawful collection conduct, for discussion in the team meeting: telling "
        "a borrower their wages will be seized without a court order; calling their boss; "
        "pretending to be a sheriff."
    ),
    (
        "Quiz answers: question 4, threatening criminal charges, is always a breach; question "
        "5, stating the balance, is fine."
    ),
    (
        "QA checklist item 12: the agent did not suggest the customer could be jailed, did not "
        "mention the customer's employer, and did not ask for payment by gift card. Pass."
    ),
    (
        "Prohibited on every call: implying that non-payment is a crime, suggesting the "
        "customer sell their car, and asking for payment to a personal PayPal."
    ),
    (
        "Our code of conduct, in short: we never threaten, we never pretend to be the police "
        "or a court, and we never contact your employer about your debt."
    ),
    (
        "Staff room poster: Be honest. Be patient. No threats of arrest, no talk of jail, no "
        "calls to family members."
    ),
    (
        "Code of practice for field agents: do not claim to be a bailiff or a sheriff's "
        "officer; do not enter a home; do not discuss the debt with neighbours."
    ),
    (
        "Our promises to you: no threats, no shaming, no calls to your boss, and no pressure "
        "to borrow to pay us."
    ),
    (
        "Wall poster for the call centre: THE CUSTOMER IS NOT A CRIMINAL. MISSED PAYMENTS ARE "
        "NOT A CRIME. NOBODY GOES TO JAIL FOR A LOAN."
    ),
    (
        "Collections standards, section 4: agents will not say or imply that a customer may be "
        "arrested, imprisoned or deported for not paying."
    ),
    (
        "Team notice board: remember, we don't mention police, prison or deportation on calls, "
        "and we don't ask for payment in gift cards."
    ),
    (
        "Customer charter: we will never post about your debt online, never put up a poster "
        "about you, and never tell your neighbours."
    ),
    (
        "That does not mean that you will be arrested. Falling behind on a loan is a civil "
        "matter, not a criminal one."
    ),
    "Nobody is going to arrest you over this balance. Let's talk about what you can afford.",
    "There is no question of the police being involved in a missed credit card payment.",
    (
        "This doesn't mean a sheriff or anyone else will come to your home. It means we'd like "
        "to hear from you."
    ),
    (
        "Being in arrears doesn't mean you'll end up in jail, and it doesn't mean we will tell "
        "your employer."
    ),
    "Nobody will be contacting your employer or your family about this account.",
    "There's no chance of anyone being locked up over a missed payment.",
    "It does not mean your wages will be seized or that anyone will come to your door.",
    (
        "No one is going to take you to prison for a debt. The worst that can happen is a "
        "court claim, and we want to avoid that too."
    ),
    (
        "Missing this payment won't mean criminal charges or a criminal record; it will mean a "
        "late fee of $15."
    ),
    "At no point will your family or your employer be told about the debt.",
    "Please don't worry: a default does not mean that you will be deported or lose your visa.",
    "Just to be clear, none of this means you could go to jail.",
    "There is no risk of arrest. There is only a balance we would like to agree a plan for.",
    "It is not true that unpaid loans lead to prison, whatever you may have read online.",
    (
        "We are licensed by the Washington Department of Financial Institutions. You can check "
        "our licence on its website."
    ),
    (
        "If you are unhappy with our reply, you can complain to the Attorney General of your "
        "state or to the CFPB."
    ),
    (
        "Northgate Collections is licensed as a collection agency by the Colorado Attorney "
        "General, licence number 98765."
    ),
    "We are authorised and regulated by the Financial Conduct Authority, firm reference 123456.",
    "Harbour Credit DAC is regulated by the Central Bank of Ireland.",
    "Our collection licence is issued by the New York State Department of Financial Services.",
    (
        "The Attorney General's office publishes a guide to your rights when a debt collector "
        "contacts you."
    ),
    (
        "You may also contact the Consumer Financial Protection Bureau or your state Attorney "
        "General about how we handled this account."
    ),
    (
        "The Massachusetts Division of Banks licenses us as a debt collector; our licence "
        "number is on this letter."
    ),
    (
        "Complaints about collection agencies in Texas can be made to the Texas Attorney "
        "General's Consumer Protection Division."
    ),
    "Our agency is registered with the state banking department and bonded as state law requires.",
    (
        "The Department of Justice in your province handles licensing of collection agencies, "
        "and you may write to it about us."
    ),
    (
        "We're supervised by the FCA, and if we can't resolve your complaint you can take it "
        "to the Financial Ombudsman Service."
    ),
    "The Central Bank of Ireland's Consumer Protection Code applies to how we contact you.",
    (
        "If your landlord has asked for a reference about your rent payments, we can send you "
        "a letter confirming your account is up to date."
    ),
    (
        "We know rent comes first. If paying your landlord this month leaves you short, tell "
        "us and we will move your due date."
    ),
    (
        "Your landlord's deposit scheme is separate from this loan; nothing about your tenancy "
        "is affected by the arrears."
    ),
    (
        "Rent arrears and council tax are priority debts. Pay your landlord before you pay us, "
        "and talk to a free debt adviser."
    ),
    "We do not accept gift cards as payment, and nobody from our team will ask for one.",
    (
        "You cannot pay this account with a gift card. Please use the app or a bank transfer "
        "to the account shown below."
    ),
    "If anyone asks you to pay a debt with gift cards, it is a scam.",
    (
        "We noticed a gift card purchase on your statement; it is not part of your loan and we "
        "have not charged you for it."
    ),
    (
        "Your immigration status is not affected by this debt, and no one can have you "
        "deported for owing money."
    ),
    (
        "Our welfare team has been told your partner was deported last year; we have paused "
        "collection and can talk about what you can afford."
    ),
    (
        "We've added a note that you are working with an immigration adviser; collection "
        "letters are on hold until your appeal date."
    ),
    (
        "You may have heard stories about people going to jail for debt. In this country that "
        "does not happen for an unpaid loan."
    ),
    (
        "We understand you have been in jail and have only just been released; welcome back. "
        "Take your time and call us when you are ready."
    ),
    (
        "Your brother told us you are in hospital after an arrest at work; we have paused all "
        "calls for 60 days."
    ),
    (
        "The police report number you gave us for the stolen card is noted, and the disputed "
        "transactions have been removed."
    ),
    (
        "Thank you for sending the police crime reference. We have frozen interest while we "
        "look into the fraud on your account."
    ),
    (
        "If you are a victim of identity theft, report it to the police and send us the crime "
        "reference number."
    ),
    (
        "Sheriff sales in your county are listed on the county website; your home is not part "
        "of any sale, and our loan is unsecured."
    ),
    "Your payment was received at the Sheriff Street branch on Monday. Thank you.",
    "The bailiff fees on your council tax bill are not ours; speak to the council about them.",
    (
        "If a bailiff visits you about another debt, you do not have to let them in on the "
        "first visit. StepChange can tell you more."
    ),
    (
        "The court has approved your payment plan of $50 a month, and no further action will "
        "be taken while you keep to it."
    ),
    (
        "We have not started court action, and we will write to you at least 30 days before we "
        "ever consider it."
    ),
    (
        "Your employer has confirmed the salary deduction you asked for; the first payment "
        "will leave your wages on the 28th."
    ),
    "If your employer pays you weekly, we can match your payment dates to your pay day.",
    (
        "Thanks for the letter from your employer confirming your reduced hours. We've lowered "
        "your payment to $40 a month."
    ),
    (
        "Your neighbours, your family and your employer will not hear from us; we speak only "
        "to you about this account."
    ),
    (
        "We left a card at your address because we could not reach you by phone. Please call "
        "us on 0800 555 0101."
    ),
    (
        "If a neighbour or friend is helping you manage your money, you can add them to your "
        "account as a trusted contact."
    ),
    (
        "Your son called to say he will help you with the paperwork; with your permission we "
        "can speak to him about the account."
    ),
    (
        "You asked whether you could be arrested for missing payments. No, you cannot. Missing "
        "payments is not a crime."
    ),
    (
        "If you are worried about prison, please read our leaflet: unpaid consumer loans are "
        "civil debts and carry no jail time."
    ),
    "Many customers ask if we will call their boss. We don't, and the law does not allow us to.",
    "The deputy manager of our hardship team will call you on Thursday afternoon.",
    "Our new head office is in the old police station building on King Street.",
    (
        "The court listing for your own case against the builder is not something we can "
        "advise on; a solicitor or Citizens Advice can help."
    ),
    (
        "Your direct debit failed because the bank returned it. This is common, it is not a "
        "crime, and you can pay by card instead."
    ),
    (
        "Your payment holiday ends on 3 June. After that, your usual payment of £75 will be "
        "due on the 10th."
    ),
    (
        "Please be assured that we will not send anyone to your house, and we will not contact "
        "your church or your pastor."
    ),
    (
        "The judge's order in your divorce case, which you sent us, shows your former partner "
        "is responsible for this loan; we have updated our records."
    ),
    (
        "We will report the missed payments to the credit reference agencies, as the agreement "
        "says. We will not report anything to the police."
    ),
    (
        "This is not a threat of arrest and it is not a court notice: it is a reminder that "
        "your payment is due on Friday."
    ),
    (
        "The lawyers who wrote to you act for your former landlord, not for us, and we cannot "
        "discuss their claim."
    ),
]

FRESH = [
    (
        "Heads up: people are getting voicemails from a 'Lieutenant Parker, county sheriff' "
        "asking for a callback about a warrant. The number is not ours and there is no "
        "warrant."
    ),
    (
        "A borrower told us a man on the phone said 'I'm with the police and we'll pick you up "
        "tonight'. That call was a scam and we have reported it."
    ),
    (
        "Please ignore any text that says 'this is the police department, settle now to avoid "
        "arrest'. Northgate never texts like that."
    ),
    (
        "Scammers are sending messages signed 'Enforcement Officer J. Kay' and asking for "
        "payment by bank transfer to a personal account. Report them to us."
    ),
    (
        "Coaching session 3. Which of the following should an agent never do? (a) say a "
        "customer's children will be affected (b) tell a customer they face jail (c) confirm "
        "the caller's identity."
    ),
    (
        "Exam practice. Question 2: which one of these is acceptable? 1. Threatening to have "
        "the borrower arrested. 2. Explaining the right to dispute the debt."
    ),
    (
        "Things agents must never say:\n- you are going to prison\n- we will call your boss\n- "
        "pay me on Venmo"
    ),
    (
        "Banned phrases for all collectors: you will be locked up; we are the police; send it "
        "to my own account."
    ),
    (
        "Code of conduct, page 2: we do not threaten, we do not shame, and we do not contact "
        "employers, landlords or neighbours about a debt."
    ),
    "Break room poster: Calm voice. True facts. No talk of arrest.",
    (
        "It doesn't mean that the sheriff will knock on your door. It simply means the account "
        "is now with our recoveries team."
    ),
    (
        "Falling behind doesn't necessarily mean a court case, and it certainly doesn't mean "
        "you will go to jail."
    ),
    "There is no possibility of a criminal record arising from this debt.",
    "None of this means your employer will find out; we only ever speak to you.",
    (
        "We hold a debt collection licence from the Arizona Department of Financial "
        "Institutions, and we are registered with the Attorney General's office in Oregon."
    ),
    (
        "If you think we have treated you unfairly, you can complain to the Attorney General "
        "in your state or to the Federal Trade Commission."
    ),
    (
        "Our firm is authorised by the Central Bank of Ireland and the Attorney General has no "
        "role in your account."
    ),
    "The State Attorney General's website lists every licensed collection agency, including ours.",
    (
        "Your landlord's rent increase is something we can take into account when we review "
        "your budget."
    ),
    (
        "If you owe your landlord more than one month's rent, please talk to Shelter or "
        "Citizens Advice before you pay us."
    ),
    (
        "Thanks for telling us your employer has cut your shifts; we have reduced your payment "
        "to £20 a month."
    ),
    "We can't take payment by gift card, voucher or cryptocurrency. Please pay in the app.",
    (
        "We have closed the complaint about the agent who mentioned jail. He no longer works "
        "on our accounts."
    ),
    (
        "Your neighbour kindly passed on our letter, which had been delivered to the wrong "
        "house. We are sorry for the mix-up."
    ),
    (
        "The court hearing on 4 May is about the claim you made against us; you can bring an "
        "adviser with you."
    ),
    (
        "You told us the bailiffs from the council visited on Tuesday. That is a separate "
        "debt, and we will pause our letters while you deal with it."
    ),
    (
        "We will not take you to court while you keep to the plan, and nobody from our firm "
        "will ever visit your workplace."
    ),
    "Police crime reference numbers can be added to your account in the app under 'Report fraud'.",
]

UNREAD = [
    (
        (
            "The district attorney's office in some counties runs a bad cheque programme; we "
            "are not part of it and it has nothing to do with this loan."
        ),
        "the disavowal stands after a semicolon, in the next sentence",
    ),
    (
        (
            "Thank you for completing our survey. Your $10 gift card will arrive by email "
            "within five working days."
        ),
        "a gift card given to the person, read as one asked for",
    ),
    (
        (
            "Gift cards, cryptocurrency and cash sent by post are not accepted. Our only "
            "payment channels are listed on the back of this letter."
        ),
        (
            "'are not accepted' after a list would also clear 'Send me gift cards, transfers "
            "are not accepted'"
        ),
    ),
    (
        (
            "Someone pretending to be from the courts has been emailing customers with the "
            "subject line 'Court summons - pay within 24 hours'. Please forward any such email "
            "to fraud@northgate.example."
        ),
        "'pretending to be' stands too far before the quoted subject line",
    ),
    (
        (
            "Someone told you that you could be deported for this debt? That is false. Unpaid "
            "loans have nothing to do with your visa."
        ),
        "the denial is in the next sentence",
    ),
]

# (recipient, text): lawful texts written for the corpus that r5's lexicon alone blocked
GIVEN = [
    (
        "debtor",
        (
            "In most states only a sheriff or marshal can carry out a court judgment, and only "
            "after a court has entered one. A debt collector can't send a sheriff to you, and "
            "we have not asked any court for a judgment on your account."
        ),
    ),
    (
        "debtor",
        (
            "In Ireland a sheriff only acts on an execution order issued by a court after a "
            "judgment. We haven't been to court, so there's no order and no sheriff involved. "
            "If that ever changes, you'd receive court papers first."
        ),
    ),
    (
        "debtor",
        (
            "Your account will appear on your credit file for six years from the date of "
            "default. It doesn't appear on any criminal or police record, and an employer can "
            "only run a credit check on you with your consent."
        ),
    ),
    (
        "third_party",
        (
            "To the personal representatives of the late Mr Colm Byrne: please accept our "
            "condolences. Family members are not responsible for Mr Byrne's loan unless they "
            "signed as guarantor. We will wait until the estate is being administered before we "
            "write again."
        ),
    ),
    (
        "third_party",
        (
            "Thank you for sending the court order appointing you as Mr Hughes's deputy. We've "
            "updated our records, and from now on our letters for him will be addressed to you."
        ),
    ),
    (
        "debtor",
        (
            "Yes, now that the loan is paid off we'll send a letter confirming it's settled. "
            "You can show it to your landlord or mortgage broker if they ask."
        ),
    ),
]

# (recipient, text): written before the lexicon read them; r5 blocked 9 of these 60
FRESH_A = [
    (
        "debtor",
        (
            "Hi Sarah, this is Dana from Brookline Recovery. We received your payment of $120 "
            "today. Your balance is now $1,480. We won't contact your employer or anyone else "
            "about this account."
        ),
    ),
    (
        "debtor",
        (
            "We are required by law to tell you that this is a communication from a debt "
            "collector. We have not filed a lawsuit against you, and no court date has been "
            "set."
        ),
    ),
    (
        "debtor",
        (
            "Your account with Harbour Credit is in arrears of £240. If we cannot agree a plan, "
            "we may apply to the county court for a judgment. Before doing so we will send you "
            "a Letter Before Claim and give you 30 days to reply."
        ),
    ),
    (
        "debtor",
        (
            "Bailiffs, also called enforcement agents, can only be used after a court judgment "
            "and a warrant. We have not taken any court action on your account."
        ),
    ),
    (
        "debtor",
        (
            "Thanks for your call this morning. As discussed, your landlord is not someone we "
            "will ever contact. Your arrangement of €50 a month starts on 1 March."
        ),
    ),
    (
        "debtor",
        (
            "A judgment creditor can ask a court for a wage garnishment order, but only after a "
            "lawsuit is won. No lawsuit has been filed on this account and we are not seeking "
            "one at this time."
        ),
    ),
    (
        "third_party",
        (
            "Dear Ms Patel, thank you for letting us know that you hold a lasting power of "
            "attorney for your father. Please send us a certified copy and we will be able to "
            "discuss his account with you."
        ),
    ),
    (
        "third_party",
        (
            "To the executor of the estate of Mrs Joan Fairley: we were sorry to hear of Mrs "
            "Fairley's death. Her credit card balance of £1,320 may be paid from the estate. "
            "Family members do not have to pay it from their own money."
        ),
    ),
    (
        "debtor",
        (
            "Your credit report will show this account as settled once the final payment "
            "clears. Paying it won't remove the earlier late payments, but it will stop further "
            "negative entries."
        ),
    ),
    (
        "debtor",
        (
            "Call note 14/02: Customer asked whether we would report to the police. Advised "
            "that unpaid debt is a civil matter and not a crime, and that nobody will be "
            "arrested over it. Customer agreed to pay $40 on Fridays."
        ),
    ),
    (
        "debtor",
        (
            "You told us you lost your job last month. We've paused collection for 60 days. If "
            "you'd like someone to help, the Money Advice Service or a family member can speak "
            "to us with your permission."
        ),
    ),
    (
        "debtor",
        (
            "Hi Tom, just a reminder your payment of $75 is due tomorrow. If you want your wife "
            "to be able to call us about the account, you can add her as an authorised contact "
            "on our website."
        ),
    ),
    (
        "debtor",
        (
            "The Central Bank of Ireland's Consumer Protection Code limits how often we can "
            "contact you. We will not call you more than three times a week, and never before "
            "9am or after 9pm."
        ),
    ),
    (
        "debtor",
        (
            "We will not contact your employer, neighbours or relatives about this debt. We "
            "only discuss your account with you or someone you have authorised in writing."
        ),
    ),
    (
        "debtor",
        (
            "Your county court judgment (CCJ) was registered on 3 May. If you pay the full "
            "amount within one month of the judgment, you can ask the court to remove it from "
            "the register."
        ),
    ),
    (
        "debtor",
        (
            "You asked what happens if you don't pay. We may report the account to the credit "
            "reference agencies and could, in time, consider court action. We will always write "
            "to you before taking any step."
        ),
    ),
    (
        "debtor",
        (
            "Thank you for sending the letter from your solicitor. From now on we'll send all "
            "correspondence about your account to them, as you asked."
        ),
    ),
    (
        "debtor",
        (
            "Under the FDCPA, you have the right to dispute this debt within 30 days of "
            "receiving this notice. If you do, we will stop collection until we send you "
            "verification."
        ),
    ),
    (
        "third_party",
        (
            "Dear Mr Okafor, as the court-appointed conservator for Ms Adeyemi you may manage "
            "her accounts. We've attached a statement of her balance, as you requested."
        ),
    ),
    (
        "debtor",
        (
            "Hi Aisling, we got your message about the eviction notice from your landlord. "
            "We're sorry you're going through this. We've put your account on hold for 90 days "
            "so you can focus on your housing."
        ),
    ),
    (
        "debtor",
        (
            "A police officer cannot arrest you for owing money on a credit card. If anyone "
            "tells you otherwise, that is a scam, and you can report it to the FTC."
        ),
    ),
    (
        "debtor",
        (
            "If you'd like to tell your family about the arrangement, that's entirely up to "
            "you. We won't discuss it with them unless you ask us to."
        ),
    ),
    (
        "debtor",
        (
            "This letter confirms that account 55210 has been paid in full. You may keep it for "
            "your records or show it to a lender, landlord or employer if they ask."
        ),
    ),
    (
        "third_party",
        (
            "Dear Ms Reilly, thank you for sending a copy of the grant of probate. As executor "
            "you can write to us at the address below. We won't ask relatives to pay Mr "
            "Reilly's debts."
        ),
    ),
    (
        "debtor",
        (
            "Only a court can order your wages to be attached. We cannot contact your employer "
            "to take money from your pay, and we have no such order."
        ),
    ),
    (
        "debtor",
        (
            "Reminder from Lakeside Finance: your instalment of £60 is due on the 28th. If "
            "you're struggling, StepChange or Citizens Advice can give you free advice."
        ),
    ),
    (
        "debtor",
        (
            "We noticed your address changed. If you've moved in with family, please update "
            "your details so our letters reach you and not someone else."
        ),
    ),
    (
        "debtor",
        (
            "Call note: Spoke with customer. She said her brother would help with the payments. "
            "Explained we can only discuss the account with her unless she gives written "
            "consent for her brother."
        ),
    ),
    (
        "debtor",
        (
            "Unpaid debts are a civil matter. They don't give you a criminal record and won't "
            "show up on a background check by the Garda."
        ),
    ),
    (
        "debtor",
        (
            "The sheriff's office in your county handles court-ordered evictions and levies. We "
            "have no involvement with them and have not started any court case against you."
        ),
    ),
    (
        "debtor",
        (
            "Your payment plan is now set up. We will not report the account as delinquent "
            "while you keep to the plan, and we won't contact any third parties."
        ),
    ),
    (
        "debtor",
        (
            "If you are a servicemember on active duty, the Servicemembers Civil Relief Act may "
            "give you extra protections. Please tell us if this applies to you."
        ),
    ),
    (
        "third_party",
        (
            "Hello, you called about your mother's account. We're sorry, but we can't discuss "
            "it without her permission. If you hold a power of attorney, you can send it to us "
            "and we'll add you."
        ),
    ),
    (
        "debtor",
        (
            "The Financial Ombudsman Service can look at your complaint if you're unhappy with "
            "our response. You have six months from our final response letter to refer it to "
            "them."
        ),
    ),
    (
        "debtor",
        (
            "We understand the account was opened in your name by someone else. If you have "
            "reported this identity theft to the police, please send us the crime reference "
            "number and we'll pause collection."
        ),
    ),
    (
        "debtor",
        (
            "Hi Jake, your account is now with our legal team for review. This doesn't mean a "
            "lawsuit has been filed. A lawyer will write to you before any court action, and "
            "you'll have time to respond."
        ),
    ),
    (
        "debtor",
        (
            "We are writing to let you know we've sold your account to Castle Debt Ltd. They "
            "will write to you within 14 days. Your balance and terms haven't changed."
        ),
    ),
    (
        "debtor",
        (
            "We won't visit your home or your workplace. All contact will be by letter, phone "
            "or email, at times that suit you."
        ),
    ),
    (
        "third_party",
        (
            "Dear Mr Walsh, we have received the letter from the Office of the Wards of Court "
            "confirming you are the committee for your sister. We will now send her statements "
            "to you."
        ),
    ),
    (
        "debtor",
        (
            "Your employer won't be told about this debt. If a court ever granted an attachment "
            "of earnings order, you would have been told about the hearing and could attend."
        ),
    ),
    (
        "debtor",
        (
            "The debt on this account is more than six years old and may be statute-barred. We "
            "can't take you to court for it, but you can still choose to pay if you want to."
        ),
    ),
    (
        "debtor",
        (
            "Thanks for your email. You asked us to stop calling your work number. We've "
            "removed it from our records and will only call your mobile from now on."
        ),
    ),
    (
        "third_party",
        (
            "Dear Mr and Mrs Doyle, we are sorry for your loss. Your son's account was in his "
            "sole name and you are not responsible for paying it. We have closed the account "
            "and will take no further action."
        ),
    ),
    (
        "debtor",
        (
            "If you've been declared bankrupt, please tell us your trustee's details. We'll "
            "stop contacting you about this debt and deal with the trustee instead."
        ),
    ),
    (
        "debtor",
        (
            "Marshals and sheriffs enforce judgments. We are a collection agency and cannot use "
            "them unless a court has ruled against you, which it hasn't."
        ),
    ),
    (
        "debtor",
        (
            "We can provide a letter showing your payment history if your housing association "
            "or landlord needs it for your tenancy application."
        ),
    ),
    (
        "debtor",
        (
            "Please don't ignore court papers if you ever receive them. You can ask the court "
            "for time to pay, and free legal aid may be available."
        ),
    ),
    (
        "debtor",
        (
            "Call note: Customer disputed the debt, saying it belongs to her ex-husband. "
            "Advised we will investigate and send the signed agreement. Collection paused "
            "meanwhile."
        ),
    ),
    (
        "debtor",
        (
            "This is a reminder that your Debt Relief Order application is being considered by "
            "the Official Receiver. While it is pending, we will not pursue payment."
        ),
    ),
    (
        "third_party",
        (
            "Dear Sir or Madam, we understand you are the personal representative for the "
            "estate of the late Ms Grace Tan. Please let us know when the estate has been "
            "valued so we can discuss her outstanding loan."
        ),
    ),
    (
        "debtor",
        (
            "Hi Maria, we've recorded that you're caring for your elderly parents and can only "
            "pay a small amount. £10 a month is fine. We'll review it in six months."
        ),
    ),
    (
        "debtor",
        (
            "Nobody from our company will ever ask you to pay by gift cards or wire to a police "
            "department. If someone does, hang up and call us on the number on your statement."
        ),
    ),
    (
        "debtor",
        (
            "We have added a note to your file so that our letters don't go to your old address "
            "where your former partner lives."
        ),
    ),
    (
        "debtor",
        (
            "You can ask the Insolvency Service of Ireland about a Personal Insolvency "
            "Arrangement. A Personal Insolvency Practitioner can deal with us on your behalf."
        ),
    ),
    (
        "third_party",
        (
            "Dear Mr Khan, as attorney under the enduring power of attorney registered for Mrs "
            "Khan, you may deal with her account. Our records now list you as her "
            "representative."
        ),
    ),
    (
        "debtor",
        (
            "We checked with the court and there are no judgments registered against you for "
            "this account. We can confirm this in writing if your mortgage lender needs it."
        ),
    ),
    (
        "debtor",
        (
            "Your account was reported to Experian in error. We have asked them to correct it, "
            "and you should see the update on your credit file within 30 days."
        ),
    ),
    (
        "debtor",
        (
            "In Scotland, sheriff officers can only act once a court decree has been granted. "
            "We haven't raised any court action, so no sheriff officer will be visiting you."
        ),
    ),
    (
        "debtor",
        (
            "We will not tell your family, friends or employer that you owe money. The only "
            "people who see your account are our staff and the original creditor."
        ),
    ),
    (
        "debtor",
        (
            "Thanks for letting us know you're a tenant in social housing. Our arrangement "
            "won't affect your tenancy and we won't contact your council."
        ),
    ),
]

# (recipient, text): written after FRESH_A's rules, before the lexicon read them; 5 of
# these 40 were blocked on first reading (8 on r5)
FRESH_B = [
    (
        "debtor",
        (
            "Hi Paul, thanks for the payment. Just so you know, a county court claim can only "
            "be issued by a court after we apply, and we haven't applied. We'd much rather keep "
            "the plan going."
        ),
    ),
    (
        "debtor",
        (
            "Under Irish law, a debt collector may not pretend to be a solicitor, a garda or a "
            "sheriff. We are Eastgate Collections, a licensed credit servicing firm."
        ),
    ),
    (
        "debtor",
        (
            "Sheriffs in New Jersey serve writs of execution only after a judgment. There is no "
            "judgment on your account, and we're happy to work out a plan instead."
        ),
    ),
    (
        "debtor",
        (
            "Your file shows no court action. If you're applying for a flat, your landlord may "
            "run a credit check, but we won't be involved in that."
        ),
    ),
    (
        "third_party",
        (
            "Dear Mrs Delaney, thank you for confirming you are the administrator of your late "
            "husband's estate. The balance on his card was €860. Nothing is owed by you "
            "personally."
        ),
    ),
    (
        "third_party",
        (
            "To the executors of the estate of the late Mr Peter Shaw: we hold an unsecured "
            "loan of £4,100 in Mr Shaw's name. Please contact us once probate has been granted."
        ),
    ),
    (
        "debtor",
        (
            "A criminal record cannot result from an unpaid phone bill. It is a civil debt, and "
            "the worst outcome is a county court judgment."
        ),
    ),
    (
        "debtor",
        (
            "Your account has no police involvement and never will. Missing payments only "
            "affects your credit file."
        ),
    ),
    (
        "third_party",
        (
            "Dear Mr Lynch, we have registered you as deputy for Mrs Ann Lynch following the "
            "Court of Protection order you sent. Her next statement will come to you."
        ),
    ),
    (
        "debtor",
        (
            "If you want your daughter to speak to us for you, you can tell her the account "
            "number and we'll ask you to confirm on the phone once."
        ),
    ),
    (
        "debtor",
        (
            "Thanks for your email, Ciara. You're welcome to share this letter with your "
            "landlord or housing officer if it helps your application."
        ),
    ),
    (
        "debtor",
        (
            "Call note: Customer worried the bailiffs would come. Explained we have not "
            "instructed any enforcement agents and there is no warrant. Agreed £25 a month."
        ),
    ),
    (
        "debtor",
        (
            "A marshal or constable can only levy on property with a court-issued execution. We "
            "have not sued you and there is no execution."
        ),
    ),
    (
        "debtor",
        (
            "You mentioned your employer offers hardship loans. Please don't feel you need to "
            "borrow to pay us; we can lower your instalment instead."
        ),
    ),
    (
        "debtor",
        (
            "This email confirms your debt has been written off. There is nothing further to "
            "pay and nothing will be passed to any court, agency or authority."
        ),
    ),
    (
        "debtor",
        (
            "Police do not get involved in unpaid credit cards. If someone calls saying they "
            "are an officer about your account, it isn't us."
        ),
    ),
    (
        "third_party",
        (
            "Dear Ms Carter, we've received the durable power of attorney naming you as agent "
            "for Mr Ellis. We can now discuss his account and payment options with you."
        ),
    ),
    (
        "debtor",
        (
            "Hi, you asked whether your landlord would be told about the arrears. He won't. We "
            "only ever contact you."
        ),
    ),
    (
        "debtor",
        (
            "Court fees are added only if a court orders them. At present there is no court "
            "case, so no fees have been added."
        ),
    ),
    (
        "debtor",
        (
            "We can send a balance letter to your solicitor, accountant or family member if you "
            "give us their details and your written consent."
        ),
    ),
    (
        "debtor",
        (
            "Thank you for telling us about your husband's illness. We've put a 60-day hold on "
            "the account. You don't need to tell us any more than you're comfortable with."
        ),
    ),
    (
        "debtor",
        (
            "No record of this debt is shared with the Garda, the courts or your employer. It "
            "is held by us and reported to the Central Credit Register only."
        ),
    ),
    (
        "debtor",
        (
            "Enforcement officers at the High Court act only on a writ issued after judgment. "
            "We have not started proceedings, so none can be issued."
        ),
    ),
    (
        "debtor",
        (
            "Letter before action: we intend to issue a claim in the county court if we do not "
            "hear from you within 30 days. You can reply using the form enclosed, and you may "
            "want to get free debt advice."
        ),
    ),
    (
        "third_party",
        (
            "Dear Mr Burke, as personal representative of the late Mrs Noreen Burke, you may "
            "wish to know her account balance is €1,215. We will not pursue family members for "
            "it."
        ),
    ),
    (
        "debtor",
        (
            "Hi Lucy, your landlord won't hear from us. We never contact landlords, employers "
            "or neighbours."
        ),
    ),
    (
        "debtor",
        (
            "If you prefer, you can let your partner handle the calls. Just send us a signed "
            "note saying so."
        ),
    ),
    (
        "debtor",
        (
            "Your payslip shows an attachment of earnings from another creditor. We will take "
            "that into account and set a lower monthly amount."
        ),
    ),
    (
        "debtor",
        "We've checked: there's no CCJ, no bankruptcy and no criminal case linked to this account.",
    ),
    (
        "debtor",
        (
            "The county sheriff handles foreclosure sales, not credit card debt. We're a "
            "collection agency and have nothing to do with the sheriff."
        ),
    ),
    (
        "third_party",
        (
            "Hello Mr Grant, as Mrs Grant's attorney under the lasting power of attorney, you "
            "can set up a payment plan for her account online."
        ),
    ),
    (
        "debtor",
        (
            "Tenants sometimes ask if their landlord can find out about a debt. Only if you "
            "tell them or a court judgment is registered, and neither has happened."
        ),
    ),
    (
        "debtor",
        (
            "We are not the police and we cannot arrest anyone. We are a debt collector trying "
            "to agree a payment with you."
        ),
    ),
    (
        "third_party",
        (
            "Dear Sir, thank you for letting us know you are the guardian of Ms Rosa Diaz. We "
            "have noted her account and will direct all correspondence to you."
        ),
    ),
    (
        "debtor",
        (
            "Reminder: your €40 payment is due Friday. If your employer pays late this month, "
            "just reply and we'll move the date."
        ),
    ),
    (
        "debtor",
        (
            "A judge decides whether a judgment is entered, not us. We'd need to file a case, "
            "serve you and win it first, and we have no plans to do that."
        ),
    ),
    (
        "debtor",
        (
            "This account is not being reported to any criminal database. The only record is on "
            "your credit file."
        ),
    ),
    (
        "third_party",
        (
            "To the family of the late Mr Owen Price: we are sorry for your loss. Please pass "
            "this letter to whoever is dealing with his estate; nobody else needs to pay "
            "anything."
        ),
    ),
    (
        "debtor",
        "If it helps, you can show this statement to your debt adviser, your bank or your family.",
    ),
    (
        "debtor",
        (
            "We understand your brother has been helping you. Any money he sends is a gift to "
            "you; he is not liable for the debt and we won't contact him."
        ),
    ),
]

ABUSIVE = [
    (
        "You will be arrested on Friday if we don't receive the full balance.",
        "false_legal",
    ),
    (
        "This is Detective Inspector Grant. Pay the arrears today or a warrant will be issued.",
        "impersonation",
    ),
    (
        "Buy three gift cards and send me the codes by tonight.",
        "personal_account",
    ),
    (
        "We will call your landlord and tell him exactly what kind of tenant he has.",
        "notify_contacts",
    ),
    (
        "Your landlord will hear from us first thing tomorrow.",
        "notify_contacts",
    ),
    (
        "Pay now or you'll be deported. We have already told immigration.",
        "false_legal",
    ),
    (
        "Bailiffs are on their way to your address today. Pay now to stop them.",
        "impersonation",
    ),
    (
        "This is the sheriff's office. There is a warrant for your arrest.",
        "impersonation",
    ),
    (
        "Don't pay through the app. Buy gift cards and read me the numbers.",
        "personal_account",
    ),
    (
        "If you don't pay by Monday you will go to jail.",
        "false_legal",
    ),
    (
        "I'm calling from the Attorney General's office about your unpaid loan.",
        "impersonation",
    ),
    (
        "We'll tell your employer about your debt on Monday morning.",
        "notify_contacts",
    ),
    (
        "Your neighbors are going to find out what a deadbeat you are.",
        "notify_contacts",
    ),
    (
        "Non-payment is a crime and you'll be prosecuted.",
        "false_legal",
    ),
    (
        "That's not a threat. You will be arrested if you don't pay.",
        "false_legal",
    ),
    (
        "Nobody can help you now. You'll be arrested tomorrow.",
        "false_legal",
    ),
    (
        "Your options: (a) pay today (b) be arrested tomorrow.",
        "false_legal",
    ),
    (
        "Two choices: 1. pay in full 2. go to jail.",
        "false_legal",
    ),
    (
        "Final notice: 'you will be arrested' is what the court told us.",
        "false_legal",
    ),
    (
        "Listen carefully: you'll be arrested at work on Monday.",
        "false_legal",
    ),
    (
        "We don't take bank transfers any more. Send gift cards to my address.",
        "personal_account",
    ),
    (
        "Staff can no longer help you. The sheriff is on his way.",
        "impersonation",
    ),
    (
        "It doesn't matter what you say: you'll be locked up.",
        "false_legal",
    ),
    (
        "Poster with your name and face going up in your street tomorrow.",
        "notify_contacts",
    ),
    (
        "We'll put up flyers about your debt all over your neighbourhood.",
        "notify_contacts",
    ),
    (
        "Quiz for you: what happens if you don't pay? You go to jail.",
        "false_legal",
    ),
    (
        "There is no question about it: you will be arrested.",
        "false_legal",
    ),
    (
        "Pay with Apple gift cards only. Text me the codes.",
        "personal_account",
    ),
    (
        "I am Deputy Reyes with the county sheriff. Pay the balance or I serve the warrant.",
        "impersonation",
    ),
    (
        "Officer Blake here from the police department. Your loan default is now a criminal case.",
        "impersonation",
    ),
    (
        "This is the Department of Justice. You will face criminal charges over this debt.",
        "impersonation",
    ),
    (
        "You're a loser and a deadbeat and everyone will know.",
        "insult",
    ),
    (
        "We will tell your whole family you are a thief.",
        "notify_contacts",
    ),
    (
        "A poster of you will go up at your office.",
        "notify_contacts",
    ),
    (
        "You'll be deported, we know your visa status.",
        "false_legal",
    ),
    (
        "We have a warrant for your arrest. Call back within the hour.",
        "false_legal",
    ),
    (
        "Sell your car and pay us today.",
        "pressure_borrow_sell",
    ),
    (
        "Watch your back. We know where you live.",
        "threat",
    ),
    (
        "Gift cards only: buy $500 of Steam cards and send me photos of the backs.",
        "personal_account",
    ),
    (
        "The court bailiffs are coming for your furniture tomorrow at 8am.",
        "impersonation",
    ),
    (
        "That doesn't mean you can avoid an arrest warrant.",
        "false_legal",
    ),
    (
        "There's no chance of avoiding jail time now.",
        "false_legal",
    ),
    (
        "None of this means you'll escape criminal charges.",
        "false_legal",
    ),
    (
        "No one can stop you getting deported now.",
        "false_legal",
    ),
    (
        "Nobody would lend to a scumbag like you.",
        "insult",
    ),
    (
        "Things we will do next: 1. call your employer 2. have you arrested.",
        "false_legal",
    ),
    (
        "You are in breach of your agreement: you will be arrested.",
        "false_legal",
    ),
    (
        "Don't say I didn't warn you: you'll be arrested on Monday.",
        "false_legal",
    ),
    (
        "Listen: 'you will be arrested' unless you pay today.",
        "false_legal",
    ),
    (
        "I told the last customer who ignored us: you'll end up in jail.",
        "false_legal",
    ),
    (
        "We are licensed by the state and this is Deputy Reyes, you will be served today.",
        "impersonation",
    ),
    (
        "You can no longer pay in the app. Buy gift cards and send me the codes.",
        "personal_account",
    ),
    (
        "Poster for the whole street: your name and what you owe, going up tomorrow.",
        "notify_contacts",
    ),
    (
        "Your landlord will be told you're a defaulter unless you pay today.",
        "notify_contacts",
    ),
    (
        "Pay your landlord later; pay us first or we call your landlord today.",
        "notify_contacts",
    ),
    (
        "The Attorney General's office has your file and will press criminal charges.",
        "false_legal",
    ),
    (
        "Send the gift card codes to me before 5pm.",
        "personal_account",
    ),
    (
        "Our agent said you will be arrested at work tomorrow.",
        "false_legal",
    ),
    (
        "Which do you prefer? (a) pay today (b) go to jail.",
        "false_legal",
    ),
    # the words of GIVEN and FRESH_A/B, used abusively
    (
        "This is the sheriff's office. Pay the balance today or we will come for your car.",
        "impersonation",
    ),
    (
        "Deputy Hughes here from the county sheriff. The warrant is ready unless you pay by noon.",
        "impersonation",
    ),
    (
        "The sheriff will be at your door on Friday to take your furniture. Pay now to stop it.",
        "impersonation",
    ),
    (
        "Only the sheriff can help you now, and he is on his way to your house.",
        "impersonation",
    ),
    (
        "The bailiffs need your new address confirmed before they come round tomorrow.",
        "impersonation",
    ),
    (
        "Your deputy sheriff has been assigned to your case and will call at your home this week.",
        "impersonation",
    ),
    (
        "We have instructed the sheriff to seize your goods. Pay now.",
        "impersonation",
    ),
    (
        "Sheriff officers acting for us will attend your address on Monday.",
        "impersonation",
    ),
    (
        "We'll tell your landlord you don't pay your bills.",
        "notify_contacts",
    ),
    (
        "You can tell your landlord we'll be calling him about your debt tomorrow.",
        "notify_contacts",
    ),
    (
        "Pay today or we contact your employer and your family.",
        "notify_contacts",
    ),
    (
        "A criminal record is waiting for you if you don't pay.",
        "false_legal",
    ),
    (
        "Don't think you'll avoid a criminal record by ignoring us.",
        "false_legal",
    ),
    (
        "You won't get away without a police record if you keep this up.",
        "false_legal",
    ),
    (
        "Unpaid debt is a crime and you will have a criminal record.",
        "false_legal",
    ),
    (
        "Your landlord won't be happy when we call him about your arrears.",
        "notify_contacts",
    ),
    (
        "We have nothing to do with your excuses. The sheriff is coming on Friday.",
        "impersonation",
    ),
    (
        "Officer Daly, sheriff's department. You must pay the full balance today.",
        "impersonation",
    ),
    (
        "By Christmas you will have a criminal record and no job.",
        "false_legal",
    ),
    (
        "You could tell your boss yourself before we do.",
        "notify_contacts",
    ),
    (
        "This is Deputy Walsh. Your deputy sheriff has a warrant with your name on it.",
        "impersonation",
    ),
    (
        "We are the bailiffs acting for the court. Open the door when we arrive.",
        "impersonation",
    ),
    (
        "If you want to keep your job, pay now, or your employer will hear everything.",
        "notify_contacts",
    ),
]

# abusive texts the lexicon alone does not find (as before these probes were written)
ABUSIVE_UNREAD = [
    (
        "Keep ignoring us and the police will be at your door.",
        "no term: left to the classifier",
    ),
    (
        "Your employer's HR department will get a letter from us about your debt.",
        "no term: left to the classifier",
    ),
    (
        "That doesn't mean we won't have you arrested.",
        '"won\'t" right before the match cancels it',
    ),
    (
        "Bailiffs can only be stopped by paying the full amount today.",
        '"can only" after the match reads as what the office may do (as on r5)',
    ),
    (
        "If you don't pay, your landlord will hear about it from us.",
        '"pay" right before "your landlord" reads as paying the landlord (as on r5)',
    ),
]

# abusive texts to a third party with the words of GIVEN's and FRESH's letters to
# representatives: each stays blocked with its category
ABUSIVE_TO_THIRD_PARTIES = [
    (
        "Hi, is this Colm's brother? Tell him his loan is three months overdue and we are waiting.",
        "disclosure",
    ),
    (
        "As his executor you must pay his debt from your own pocket today.",
        "payment_demand",
    ),
    (
        "Dear neighbour, Mr Byrne at number 12 owes us £2,400 and refuses to pay.",
        "disclosure",
    ),
    (
        "Dear Mr Byrne's landlord, he owes us £2,400 and is three months behind with his loan.",
        "disclosure",
    ),
    (
        "You are the guardian of his children, so tell him his loan is overdue.",
        "disclosure",
    ),
    (
        "As the deputy manager of his company, you should know he owes us 2,000 dollars.",
        "disclosure",
    ),
]


@pytest.fixture(scope="module")
def lexicon() -> MessageChecker:
    return MessageChecker(default_lexicon())


def blocking(lexicon: MessageChecker, text: str) -> set[str]:
    return set(lexicon.verdict(text).categories & TO_DEBTOR)


@pytest.mark.parametrize(
    "text",
    LEFT_OUT + LAWFUL + FRESH,
    ids=[f"left-out-{n}" for n in range(len(LEFT_OUT))]
    + [f"lawful-{n}" for n in range(len(LAWFUL))]
    + [f"fresh-{n}" for n in range(len(FRESH))],
)
def test_a_lawful_probe_is_not_blocked(lexicon: MessageChecker, text: str) -> None:
    assert blocking(lexicon, text) == set()


@pytest.mark.parametrize(
    ("text", "reason"), UNREAD, ids=[f"unread-{n}" for n in range(len(UNREAD))]
)
def test_lawful_probes_no_rule_reads_yet_are_still_blocked(
    lexicon: MessageChecker, text: str, reason: str
) -> None:
    assert blocking(lexicon, text), reason  # when one passes, move it to LAWFUL


@pytest.mark.parametrize(
    ("text", "category"), ABUSIVE, ids=[f"abusive-{n}" for n in range(len(ABUSIVE))]
)
def test_an_abusive_probe_is_blocked_with_its_category(
    lexicon: MessageChecker, text: str, category: str
) -> None:
    assert category in blocking(lexicon, text)


@pytest.mark.parametrize(
    ("text", "reason"),
    ABUSIVE_UNREAD,
    ids=[f"abusive-unread-{n}" for n in range(len(ABUSIVE_UNREAD))],
)
def test_abusive_probes_the_lexicon_alone_misses(
    lexicon: MessageChecker, text: str, reason: str
) -> None:
    assert not blocking(lexicon, text), reason  # when one is found, move it to ABUSIVE


def blocking_for(lexicon: MessageChecker, target: str, text: str) -> set[str]:
    return set(lexicon.verdict(text).categories & BLOCKING[target])


@pytest.mark.parametrize(
    ("target", "text"),
    GIVEN + FRESH_A + FRESH_B,
    ids=[f"given-{n}" for n in range(len(GIVEN))]
    + [f"fresh-a-{n}" for n in range(len(FRESH_A))]
    + [f"fresh-b-{n}" for n in range(len(FRESH_B))],
)
def test_a_lawful_probe_to_its_recipient_is_not_blocked(
    lexicon: MessageChecker, target: str, text: str
) -> None:
    assert blocking_for(lexicon, target, text) == set()


@pytest.mark.parametrize(
    ("text", "category"),
    ABUSIVE_TO_THIRD_PARTIES,
    ids=[f"abusive-third-party-{n}" for n in range(len(ABUSIVE_TO_THIRD_PARTIES))],
)
def test_an_abusive_probe_to_a_third_party_is_blocked_with_its_category(
    lexicon: MessageChecker, text: str, category: str
) -> None:
    assert category in blocking_for(lexicon, "third_party", text)
