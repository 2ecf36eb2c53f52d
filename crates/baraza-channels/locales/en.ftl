# Messages to citizens, in English. Keep each within one SMS (160 GSM-7 characters) with
# a 12-character reference; a test checks it. Variables: $reference, $text, $reason, $to,
# $of, $status, $typed.
acknowledgement = We received your concern. Ref {$reference}. Send STATUS {$reference} to follow it. Reply STOP to stop messages.
response = Answer on {$reference}: {$text} Is it solved? Reply 1 for yes, 2 for no.
ask-rating = Thank you. How satisfied are you with how {$reference} was handled? Reply 1 (not at all) to 5 (very).
rating-thanks = Thank you for your rating of {$reference}.
reopened = Sorry it is not solved. {$reference} is reopened and will be looked at again.
rejected = {$reference} cannot be handled by the county: {$reason}
referred = {$reference} is for another office: {$to}. {$reason}
duplicate = {$reference} is the same concern as {$of}. Follow {$of} with STATUS {$of}.
reminder = Is your concern {$reference} solved? Reply 1 for yes, 2 for no.
closed-unconfirmed = We closed {$reference} without your answer. Send 2 if it is not solved.
reply-noted = Your message is added to {$reference}.
status = {$reference}: { $status ->
        [received] received
        [acknowledged] received
        [triaged] being reviewed
        [assigned] with the department
        [in_progress] being worked on
        [responded] answered, waiting for your reply
        [resolved] solved
        [closed] closed
        [reopened] reopened
        [escalated] sent to a higher office
        [rejected] not for the county
        [referred] referred elsewhere
        [duplicate] merged with another case
        [closed_unconfirmed] closed
       *[other] {$status}
    }.
status-not-found = We found no concern with reference {$reference}. Check the number and try again.
no-case-yet = You have no concern with us yet. Send your concern in a message to open one.
bad-reference = {$typed} is not a reference number. Send STATUS followed by the number, e.g. STATUS EM-4821-0937.
help = Send your concern in a message. STATUS <ref> to follow it. KISWAHILI or FRANCAIS to change language. STOP to stop messages.
stopped = You will get no more messages from us. Send HELP to start again.
language-changed = We will write to you in English.

# USSD screens (at most 182 characters each, numbered choices).
ussd-root = Baraza {$county}
    1. Raise a concern
    2. Check a case
    3. Answer: is it solved?
    4. Language
    5. Ask for information
    6. Comment on a plan
    7. Projects
ussd-department = Which department?
ussd-category = What is it about?
ussd-subcounty = Which sub-county?
ussd-ward = Which ward?
ussd-describe = Describe the problem in a few words:
ussd-received = Received. Your reference: {$reference}. We will SMS you.
ussd-enter-reference = Enter the reference number:
ussd-no-answer-waiting = No answer is waiting for your reply.
ussd-confirm = {$reference}: {$text}
    Is it solved?
    1. Yes
    2. No
ussd-thanks = Thank you. We will SMS you.
ussd-language = 1. English
    2. Kiswahili
    3. Francais
ussd-request-describe = What information do you want? No reason is needed.
ussd-request-received = Request received. Ref {$reference}. We will SMS the decision. Send STATUS {$reference} to follow it.
ussd-invalid = Invalid choice. Please dial again.
ussd-more = More
staff-escalated = Escalated to you: {$reference}. {$reason} Open it in the Baraza console.
staff-assigned = Forwarded to you: {$reference}. {$note} Open it in the Baraza console.

# Information requests (Access to Information Act 2016; Act 989). Variables: $reference,
# $due, $text, $to, $reason, $decision, $reasons, $review, $outcome, $state.
request-received = We received your information request. Ref {$reference}. A decision is due by {$due}. Send STATUS {$reference} to follow it.
request-clarification = About your request {$reference}: {$text} Reply to this message with your answer. The time limit stops until you do.
request-transferred = Your request {$reference} was sent to {$to}, which holds the information. The time limit still runs from your first request.
request-extended = The decision on your request {$reference} is extended once, to {$due}: {$reason}
request-decided = Decision on {$reference}: { $decision ->
        [granted] granted
        [granted_in_part] granted in part
        [refused] refused
        [not_held] the information is not held
       *[deferred] deferred
    }. {$reasons} {$review}
request-provided = Information for your request {$reference}: {$text}
request-deemed-refused = No decision was made on {$reference} in time, so by law it is refused. {$review}
request-review-decided = Review of {$reference}: { $outcome ->
        [upheld] the decision stands
        [varied] the decision is changed
        [overturned] the decision is overturned and will be made again
       *[withdrawn] withdrawn
    }. {$text}
request-status = {$reference}: { $state ->
        [received] received
        [acknowledged] being considered
        [awaiting_clarification] waiting for your clarification
        [transferred] sent to the body that holds it
        [decided] decided
        [provided] information provided
        [deemed_refused] refused: no decision in time
        [under_review] under review
        [closed] closed
       *[other] {$state}
    }. Decision due by {$due}.
staff-deemed-refused = No decision on information request {$reference} in time: it is deemed refused. Open it in the Baraza console.

# The proactive disclosure log. Variables: $class, $title, $link, $typed, $classes.
disclosure-published = Published by the county: {$class}, {$title}. {$link} Reply STOP to stop messages.
following = You will get an SMS when the county publishes: {$class}. Send STOP to stop.
follow-unknown = We publish no "{$typed}". Send FOLLOW and one of: {$classes}
commitment-unknown = We have no commitment "{$typed}". Send COMMENT, the commitment's id and your comment, e.g. COMMENT {$commitments}
milestone-reminder = Reminder: milestone {$milestone} of {$commitment} ("{$text}") is due by {$due}. Record its status and evidence: {$link}
ussd-commitment = Which commitment?
ussd-comment-describe = Your comment on {$commitment}:
ussd-comment-received = Comment received. Ref {$reference}. We will SMS the answer.
ussd-no-plans = No action plan is published yet.
project-unknown = We have no project "{$typed}". Send INFO and the project's code as on the county's project pages, e.g. INFO EM-RD-014
report-drafted = Report {$report} on {$code} received. A validator checks it before it is published.

project-info = {$code} {$title}: { $status ->
        [identification] identification
        [preparation] preparation
        [implementation] under way
        [completion] completed
        [maintenance] maintenance
        [cancelled] cancelled
       *[other] {$status}
    }. Budget {$budget}. { $report_status ->
        [none] No approved report yet.
        [onTrack] Latest report: on track, {$report_text}
        [atRisk] Latest report: at risk, {$report_text}
       *[offTrack] Latest report: off track, {$report_text}
    } Reply REPORT {$code} and your message to raise a concern.
ward-following = You will get at most one SMS a day with news of public projects in {$ward}: tenders, contracts, approved reports. Send STOP to stop.
ward-digest = Projects news: {$news}. Send INFO and a code for details, STOP to stop.
ussd-projects = Public projects
    1. Report on a project
    2. Alerts for a ward
ussd-project = Which project?
ussd-project-describe = What do you report about {$project}?
ussd-no-projects = No public project is registered in this ward.
ussd-project-received = Thank you. Your reference is {$reference}. The department will answer by SMS.
ussd-subscribed = You will get at most one SMS a day with news of projects in {$ward}. Send STOP by SMS to stop.
case-following = You will get an SMS when {$reference} changes: being worked on, answered, solved or closed. Send STOP to stop.
followed-update = {$reference}, which you follow, is now { $status ->
        [received] received
        [acknowledged] received
        [triaged] being reviewed
        [assigned] with the department
        [in_progress] being worked on
        [responded] answered by the county
        [resolved] solved
        [closed] closed
        [reopened] reopened
        [escalated] sent to a higher office
        [rejected] not for the county
        [referred] referred elsewhere
        [duplicate] merged with another case
        [closed_unconfirmed] closed
       *[other] {$status}
    }. Send STOP to stop.
