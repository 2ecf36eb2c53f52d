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
    5. Omba habari
    6. Maoni kuhusu mpango
    7. Miradi
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
ussd-request-describe = Unataka habari gani? Huhitaji kusema kwa nini.
ussd-request-received = Ombi limepokelewa. Kumb {$reference}. Tutakutumia uamuzi kwa SMS. Tuma HALI {$reference} kulifuatilia.
ussd-invalid = Chaguo si sahihi. Tafadhali piga tena.
ussd-more = Zaidi
staff-escalated = Imepandishwa kwako: {$reference}. {$reason} Ifungue kwenye Baraza.
staff-assigned = Imetumwa kwako: {$reference}. {$note} Ifungue kwenye Baraza.

# Maombi ya habari (Sheria ya Kupata Habari 2016).
request-received = Tumepokea ombi lako la habari. Kumb {$reference}. Uamuzi utatolewa kabla ya {$due}. Tuma HALI {$reference} kulifuatilia.
request-clarification = Kuhusu ombi lako {$reference}: {$text} Jibu ujumbe huu. Muda unasimama hadi utakapojibu.
request-transferred = Ombi lako {$reference} limetumwa kwa {$to}, wanaoshikilia habari hiyo. Muda unahesabiwa tangu ombi lako la kwanza.
request-extended = Uamuzi wa ombi lako {$reference} umeongezewa muda mara moja, hadi {$due}: {$reason}
request-decided = Uamuzi wa {$reference}: { $decision ->
        [granted] limekubaliwa
        [granted_in_part] limekubaliwa kwa sehemu
        [refused] limekataliwa
        [not_held] habari hiyo haipo kwetu
       *[deferred] limeahirishwa
    }. {$reasons} {$review}
request-provided = Habari ya ombi lako {$reference}: {$text}
request-deemed-refused = Hakuna uamuzi uliotolewa kuhusu {$reference} kwa wakati, kwa hiyo kisheria limekataliwa. {$review}
request-review-decided = Mapitio ya {$reference}: { $outcome ->
        [upheld] uamuzi unabaki
        [varied] uamuzi umebadilishwa
        [overturned] uamuzi umebatilishwa na utafanywa upya
       *[withdrawn] yameondolewa
    }. {$text}
request-status = {$reference}: { $state ->
        [received] limepokelewa
        [acknowledged] linashughulikiwa
        [awaiting_clarification] linasubiri ufafanuzi wako
        [transferred] limetumwa kwa wanaoshikilia habari
        [decided] limeamuliwa
        [provided] habari imetolewa
        [deemed_refused] limekataliwa: hakuna uamuzi kwa wakati
        [under_review] linapitiwa upya
        [closed] limefungwa
       *[other] {$state}
    }. Uamuzi kabla ya {$due}.
staff-deemed-refused = Ombi la habari {$reference} halikuamuliwa kwa wakati: limekataliwa kisheria. Lifungue kwenye Baraza.

# Kumbukumbu ya uchapishaji.
disclosure-published = Kaunti imechapisha: {$class}, {$title}. {$link} Jibu STOP kusimamisha ujumbe.
following = Utapata SMS kaunti inapochapisha: {$class}. Tuma STOP kusimamisha.
follow-unknown = Hatuchapishi "{$typed}". Tuma FUATA na mojawapo ya: {$classes}
commitment-unknown = Hatuna ahadi "{$typed}". Tuma MAONI, nambari ya ahadi na maoni yako, mfano MAONI {$commitments}
milestone-reminder = Kumbusho: hatua {$milestone} ya {$commitment} ("{$text}") inatakiwa kufikia {$due}. Andika hali yake na ushahidi: {$link}
ussd-commitment = Ahadi ipi?
ussd-comment-describe = Maoni yako kuhusu {$commitment}:
ussd-comment-received = Maoni yamepokelewa. Kumb. {$reference}. Tutakutumia jibu kwa SMS.
ussd-no-plans = Hakuna mpango uliochapishwa bado.
project-unknown = Hatuna mradi "{$typed}". Tuma HABARI na nambari ya mradi kama ilivyo kwenye kurasa za miradi za kaunti, mfano HABARI EM-RD-014
report-drafted = Ripoti {$report} ya {$code} imepokelewa. Mhakiki ataikagua kabla ya kuchapishwa.

project-info = {$code} {$title}: { $status ->
        [identification] utambuzi
        [preparation] maandalizi
        [implementation] unaendelea
        [completion] umekamilika
        [maintenance] matengenezo
        [cancelled] umefutwa
       *[other] {$status}
    }. Bajeti {$budget}. { $report_status ->
        [none] Bado hakuna ripoti iliyoidhinishwa.
        [onTrack] Ripoti ya mwisho: unaendelea vizuri, {$report_text}
        [atRisk] Ripoti ya mwisho: uko hatarini, {$report_text}
       *[offTrack] Ripoti ya mwisho: umekwama, {$report_text}
    } Jibu RIPOTI {$code} na ujumbe wako kuwasilisha hoja.
ward-following = Utapokea SMS moja kwa siku zaidi kuhusu miradi ya umma katika {$ward}: zabuni, mikataba, ripoti zilizoidhinishwa. Tuma STOP kusitisha.
ward-digest = Habari za miradi: {$news}. Tuma HABARI na nambari ya mradi kwa maelezo, STOP kusitisha.
ussd-projects = Miradi ya umma
    1. Ripoti kuhusu mradi
    2. Taarifa za wadi
ussd-project = Mradi upi?
ussd-project-describe = Unaripoti nini kuhusu {$project}?
ussd-no-projects = Hakuna mradi wa umma uliosajiliwa katika wadi hii.
ussd-project-received = Asante. Nambari yako ya kumbukumbu ni {$reference}. Idara itajibu kwa SMS.
ussd-subscribed = Utapokea SMS moja kwa siku zaidi kuhusu miradi katika {$ward}. Tuma STOP kwa SMS kusitisha.
case-following = Utapata SMS {$reference} inapobadilika: inashughulikiwa, imejibiwa, imetatuliwa au imefungwa. Tuma STOP kusitisha.
followed-update = {$reference}, unayofuatilia, sasa { $status ->
        [received] imepokelewa
        [acknowledged] imepokelewa
        [triaged] inachunguzwa
        [assigned] iko kwa idara
        [in_progress] inashughulikiwa
        [responded] imejibiwa na kaunti
        [resolved] imetatuliwa
        [closed] imefungwa
        [reopened] imefunguliwa tena
        [escalated] imepelekwa ofisi ya juu
        [rejected] si ya kaunti
        [referred] imepelekwa kwingine
        [duplicate] imeunganishwa na lalamiko lingine
        [closed_unconfirmed] imefungwa
       *[other] {$status}
    }. Tuma STOP kusitisha.
