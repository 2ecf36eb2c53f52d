# Ujumbe kwa wananchi, kwa Kiswahili. Kila mmoja ndani ya SMS moja (herufi 160).
acknowledgement = Tumepokea lalamiko lako. Kumb {$reference}. Tuma HALI {$reference} kufuatilia. Jibu STOP kusitisha ujumbe.
response = Jibu kuhusu {$reference}: {$text} Imetatuliwa? Jibu 1 ndiyo, 2 hapana.
ask-rating = Asante. Umeridhika kiasi gani na jinsi {$reference} ilivyoshughulikiwa? Jibu 1 (hata kidogo) hadi 5 (sana).
rating-thanks = Asante kwa tathmini yako ya {$reference}.
reopened = Samahani bado haijatatuliwa. {$reference} imefunguliwa tena na itashughulikiwa upya.
rejected = {$reference} haiwezi kushughulikiwa na kaunti: {$reason}
referred = {$reference} ni ya ofisi nyingine: {$to}. {$reason}
duplicate = {$reference} ni lalamiko sawa na {$of}. Fuatilia kwa HALI {$of}.
reminder = Je, lalamiko lako {$reference} limetatuliwa? Jibu 1 ndiyo, 2 hapana.
closed-unconfirmed = Tumefunga {$reference} bila jibu lako. Tuma 2 kama haijatatuliwa.
reply-noted = Ujumbe wako umeongezwa kwenye {$reference}.
status = {$reference}: { $status ->
        [received] imepokelewa
        [acknowledged] imepokelewa
        [triaged] inachunguzwa
        [assigned] iko kwa idara
        [in_progress] inashughulikiwa
        [responded] imejibiwa, tunasubiri jibu lako
        [resolved] imetatuliwa
        [closed] imefungwa
        [reopened] imefunguliwa tena
        [escalated] imepelekwa ofisi ya juu
        [rejected] si ya kaunti
        [referred] imepelekwa kwingine
        [duplicate] imeunganishwa na lalamiko lingine
        [closed_unconfirmed] imefungwa
       *[other] {$status}
    }.
status-not-found = Hatukupata lalamiko lenye kumbukumbu {$reference}. Angalia nambari ujaribu tena.
no-case-yet = Huna lalamiko kwetu bado. Tuma lalamiko lako kwa ujumbe kulifungua.
bad-reference = {$typed} si nambari ya kumbukumbu. Tuma HALI na nambari, mfano HALI EM-4821-0937.
help = Tuma lalamiko lako kwa ujumbe. HALI <kumb> kufuatilia. ENGLISH au FRANCAIS kubadili lugha. STOP kusitisha.
stopped = Hutapokea ujumbe zaidi kutoka kwetu. Tuma MSAADA kuanza tena.
language-changed = Tutakuandikia kwa Kiswahili.

# Skrini za USSD (herufi 182 kwa kila moja).
ussd-root = Baraza {$county}
    1. Toa lalamiko
    2. Fuatilia lalamiko
    3. Jibu: imetatuliwa?
    4. Lugha
ussd-department = Idara gani?
ussd-category = Inahusu nini?
ussd-subcounty = Kaunti ndogo gani?
ussd-ward = Wadi gani?
ussd-describe = Eleza tatizo kwa maneno machache:
ussd-received = Imepokelewa. Kumbukumbu yako: {$reference}. Tutakutumia SMS.
ussd-enter-reference = Weka nambari ya kumbukumbu:
ussd-no-answer-waiting = Hakuna jibu linalosubiri jibu lako.
ussd-confirm = {$reference}: {$text}
    Imetatuliwa?
    1. Ndiyo
    2. Hapana
ussd-thanks = Asante. Tutakutumia SMS.
ussd-language = 1. English
    2. Kiswahili
    3. Francais
ussd-invalid = Chaguo si sahihi. Tafadhali piga tena.
ussd-more = Zaidi
staff-escalated = Imepandishwa kwako: {$reference}. {$reason} Ifungue kwenye Baraza.
staff-assigned = Imetumwa kwako: {$reference}. {$note} Ifungue kwenye Baraza.
