# Messages aux citoyens, en français. Chacun tient dans un SMS (160 caractères GSM-7) ;
# à l'envoi par SMS, les lettres hors GSM-7 sont remplacées (ê -> e, ç -> c).
acknowledgement = Nous avons reçu votre requête. Réf {$reference}. Envoyez STATUT {$reference} pour la suivre. STOP pour ne plus recevoir de messages.
response = Réponse sur {$reference} : {$text} Est-ce résolu ? Répondez 1 pour oui, 2 pour non.
ask-rating = Merci. Êtes-vous satisfait du traitement de {$reference} ? Répondez de 1 (pas du tout) à 5 (très).
rating-thanks = Merci pour votre note sur {$reference}.
reopened = Désolés, ce n'est pas résolu. {$reference} est rouverte et sera réexaminée.
rejected = {$reference} ne relève pas du comté : {$reason}
referred = {$reference} relève d'un autre service : {$to}. {$reason}
duplicate = {$reference} est la même requête que {$of}. Suivez {$of} avec STATUT {$of}.
reminder = Votre requête {$reference} est-elle résolue ? Répondez 1 pour oui, 2 pour non.
closed-unconfirmed = Nous avons clos {$reference} sans votre réponse. Envoyez 2 si ce n'est pas résolu.
reply-noted = Votre message est ajouté à {$reference}.
status = {$reference} : { $status ->
        [received] reçue
        [acknowledged] reçue
        [triaged] en examen
        [assigned] confiée au service
        [in_progress] en cours
        [responded] répondue, en attente de votre réponse
        [resolved] résolue
        [closed] close
        [reopened] rouverte
        [escalated] transmise à un niveau supérieur
        [rejected] hors du ressort du comté
        [referred] orientée ailleurs
        [duplicate] fusionnée avec une autre
        [closed_unconfirmed] close
       *[other] {$status}
    }.
status-not-found = Aucune requête avec la référence {$reference}. Vérifiez le numéro et réessayez.
no-case-yet = Vous n'avez pas encore de requête. Envoyez votre requête par message pour en ouvrir une.
bad-reference = {$typed} n'est pas un numéro de référence. Envoyez STATUT suivi du numéro, ex. STATUT EM-4821-0937.
help = Envoyez votre requête par message. STATUT <réf> pour la suivre. ENGLISH ou KISWAHILI pour changer de langue. STOP pour arrêter.
stopped = Vous ne recevrez plus de messages. Envoyez AIDE pour recommencer.
language-changed = Nous vous écrirons en français.

# Écrans USSD (182 caractères au plus).
ussd-root = Baraza {$county}
    1. Signaler un problème
    2. Suivre une requête
    3. Répondre : résolu ?
    4. Langue
    5. Demander une info
    6. Commenter un plan
    7. Projets
ussd-department = Quel service ?
ussd-category = De quoi s'agit-il ?
ussd-subcounty = Quel sous-comté ?
ussd-ward = Quel quartier ?
ussd-describe = Décrivez le problème en quelques mots :
ussd-received = Reçu. Votre référence : {$reference}. Nous vous enverrons un SMS.
ussd-enter-reference = Entrez le numéro de référence :
ussd-no-answer-waiting = Aucune réponse n'attend votre avis.
ussd-confirm = {$reference} : {$text}
    Est-ce résolu ?
    1. Oui
    2. Non
ussd-thanks = Merci. Nous vous enverrons un SMS.
ussd-language = 1. English
    2. Kiswahili
    3. Francais
ussd-request-describe = Quelle information voulez-vous ? Inutile de dire pourquoi.
ussd-request-received = Demande reçue. Réf {$reference}. La décision vous sera envoyée par SMS. Envoyez SUIVI {$reference} pour la suivre.
ussd-invalid = Choix invalide. Veuillez recomposer.
ussd-more = Suite
staff-escalated = Remonte vers vous : {$reference}. {$reason} Ouvrez-la dans la console Baraza.
staff-assigned = Transmise à vous : {$reference}. {$note} Ouvrez-la dans la console Baraza.

# Demandes d'information.
request-received = Nous avons recu votre demande d'information. Ref {$reference}. Decision attendue au plus tard le {$due}. Envoyez SUIVI {$reference} pour la suivre.
request-clarification = Au sujet de votre demande {$reference} : {$text} Repondez a ce message. Le delai est suspendu jusqu'a votre reponse.
request-transferred = Votre demande {$reference} a ete transmise a {$to}, qui detient l'information. Le delai court depuis votre premiere demande.
request-extended = La decision sur votre demande {$reference} est prolongee une fois, jusqu'au {$due} : {$reason}
request-decided = Decision sur {$reference} : { $decision ->
        [granted] accordee
        [granted_in_part] accordee en partie
        [refused] refusee
        [not_held] l'information n'est pas detenue
       *[deferred] differee
    }. {$reasons} {$review}
request-provided = Information pour votre demande {$reference} : {$text}
request-deemed-refused = Aucune decision n'a ete prise sur {$reference} dans le delai : elle est refusee de droit. {$review}
request-review-decided = Recours sur {$reference} : { $outcome ->
        [upheld] la decision est maintenue
        [varied] la decision est modifiee
        [overturned] la decision est annulee et sera reprise
       *[withdrawn] retire
    }. {$text}
request-status = {$reference} : { $state ->
        [received] recue
        [acknowledged] en examen
        [awaiting_clarification] en attente de votre precision
        [transferred] transmise a l'organisme qui detient l'information
        [decided] decidee
        [provided] information fournie
        [deemed_refused] refusee : pas de decision dans le delai
        [under_review] en recours
        [closed] close
       *[other] {$state}
    }. Decision attendue au plus tard le {$due}.
staff-deemed-refused = Demande d'information {$reference} sans decision dans le delai : refusee de droit. Ouvrez-la dans la console Baraza.

# Publication proactive.
disclosure-published = Publie par le comte : {$class}, {$title}. {$link} Repondez STOP pour ne plus recevoir de messages.
following = Vous recevrez un SMS quand le comte publiera : {$class}. Envoyez STOP pour arreter.
follow-unknown = Nous ne publions pas "{$typed}". Envoyez SUIVRE et l'un de : {$classes}
commitment-unknown = Nous n'avons pas d'engagement "{$typed}". Envoyez AVIS, l'identifiant de l'engagement et votre avis, par ex. AVIS {$commitments}
milestone-reminder = Rappel : le jalon {$milestone} de {$commitment} (« {$text} ») est attendu pour le {$due}. Indiquez son état et ses preuves : {$link}
ussd-commitment = Quel engagement ?
ussd-comment-describe = Votre avis sur {$commitment} :
ussd-comment-received = Avis reçu. Réf. {$reference}. Nous vous répondrons par SMS.
ussd-no-plans = Aucun plan d'action n'est encore publié.
project-unknown = Nous n'avons pas de projet « {$typed} ». Envoyez INFOS et le code du projet tel qu'il figure sur les pages des projets, par ex. INFOS EM-RD-014
report-drafted = Rapport {$report} sur {$code} reçu. Un validateur le vérifie avant publication.

project-info = {$code} {$title} : { $status ->
        [identification] identification
        [preparation] préparation
        [implementation] en cours
        [completion] achevé
        [maintenance] entretien
        [cancelled] annulé
       *[other] {$status}
    }. Budget {$budget}. { $report_status ->
        [none] Pas encore de rapport approuvé.
        [onTrack] Dernier rapport : en bonne voie, {$report_text}
        [atRisk] Dernier rapport : à risque, {$report_text}
       *[offTrack] Dernier rapport : en retard, {$report_text}
    } Répondez SIGNALER {$code} et votre message pour signaler un problème.
ward-following = Vous recevrez au plus un SMS par jour sur les projets publics de {$ward} : appels d'offres, contrats, rapports approuvés. Envoyez STOP pour arrêter.
ward-digest = Nouvelles des projets : {$news}. Envoyez INFOS et un code pour les détails, STOP pour arrêter.
ussd-projects = Projets publics
    1. Signaler sur un projet
    2. Alertes d'un quartier
ussd-project = Quel projet ?
ussd-project-describe = Que signalez-vous sur {$project} ?
ussd-no-projects = Aucun projet public n'est enregistré dans ce quartier.
ussd-project-received = Merci. Votre référence est {$reference}. Le département répondra par SMS.
ussd-subscribed = Vous recevrez au plus un SMS par jour sur les projets de {$ward}. Envoyez STOP par SMS pour arrêter.
case-following = Vous recevrez un SMS quand {$reference} changera : en cours, répondue, résolue ou close. Envoyez STOP pour arrêter.
followed-update = {$reference}, que vous suivez, est maintenant { $status ->
        [received] reçue
        [acknowledged] reçue
        [triaged] en examen
        [assigned] confiée au service
        [in_progress] en cours
        [responded] répondue par le comté
        [resolved] résolue
        [closed] close
        [reopened] rouverte
        [escalated] transmise à un niveau supérieur
        [rejected] hors du ressort du comté
        [referred] orientée ailleurs
        [duplicate] fusionnée avec une autre
        [closed_unconfirmed] close
       *[other] {$status}
    }. Envoyez STOP pour arrêter.
