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

Beside them, abusive texts with the same words (a real threat of arrest, a real
impersonation, a real demand for gift cards), some shaped like the lawful ones' forms (a
list under a heading that bans nothing, a negation of a way out, a colon before the
threat): each stays blocked with its category.
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
