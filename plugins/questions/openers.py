"""The interrogative openers of each language, as data: the greetings and fillers a clause may open with
(`FILLERS`), the forms that open a question at a clause's start (`OPENERS`, compiled per language into
`TABLES`) and the few that ask from inside a sentence (`INSIDE`).

Every pattern here reads lower-cased text whose typographic apostrophes are straight ones
(`clauses.fold`). The set phrases that only look like questions are in `set_phrases`; how a sentence's
clauses are read with these tables is in `embedding` and `detector`."""

from __future__ import annotations

import re

# Greetings, fillers and conjunctions a clause may open with before its interrogative form ("hey guys
# how do I...", "salut tout le monde qqn a...", "du coup on fait comment"); at most three of them.
FILLERS: dict[str, str] = {
    "fr": r"ou bien|ou alors|et|mais|alors|donc|bon|bref|sinon|euh|heu|bah|ben|ah|oh|ok|okay|salut|bonjour|"
    r"bonsoir|coucou|hello|"
    r"hey|re|du coup|au fait|dites|dis|question|petite question|les gars|les amis|tout le monde|à tous|a tous|"
    r"svp|stp|en fait|excusez-moi|pardon|désolé|desole|d'ailleurs|aussi",
    "en": r"or|and|but|so|ok|okay|k|well|hey|hi|hello|yo|oh|um|umm|uh|also|then|btw|anyway|anyways|guys|all|"
    r"everyone|everybody|folks|yall|y'all|people|peeps|quick question|question|just curious|lol|haha|sorry|"
    r"hmm|alright|now|actually|seriously|honestly|out of curiosity|random question",
    "es": r"o|y|pero|entonces|bueno|hola|oye|oigan|ok|pues|chicos|chicas|gente|amigos|a ver|una pregunta|pregunta|"
    r"perdón|perdon|disculpen|oigan",
    "de": r"oder|und|aber|also|ok|okay|hallo|hi|hey|leute|moin|servus|kurze frage|frage|übrigens|ach|na|ähm|äh|sorry|"
    r"sag mal|sagt mal",
    "it": r"o|oppure|e|ma|quindi|allora|ok|ciao|salve|ragazzi|raga|comunque|scusate|scusa|senti|sentite|domanda|"
    r"una domanda|ehi|ehm|beh|boh",
    "pt": r"ou|e|mas|então|entao|ok|oi|olá|ola|gente|pessoal|galera|bom|tipo|aí|ai|pergunta|uma pergunta|"
    r"desculpa|desculpem",
}

# Interrogative openers per language, matched at the start of a clause, after its fillers.
# Wh-words that also open ordinary statements ("when I run it, ...") are only taken with a
# following word that makes the question shape (auxiliary, infinitive, inversion).
# The end of a clause, as `CLAUSES` cuts it: the pre-check matches the whole text, the tables a clause.
END = r"(?=\s*(?:$|[.,;:!\n…()?？]|[-–—]\s))"
_QU = r"(?:qqn|qq1|qqun|qlqn|quelqu'un|quelqu un|quelquun|kelkun|kelkin)"
# After "je me demande si/comment…": the others, or whether something can be done.
_FR_OTHERS = (
    r"(?:" + _QU + r"|vous\b|tu\b|t'|l'une? (?:de vous|d'entre vous)|certains (?:d'entre vous|ici|parmi vous)|"
    r"parmi vous|(?:est |sont )?(?:votre|vos|ton|ta|tes)\b|on (?:peut|pourrait|a le droit|doit|devrait)\b|"
    r"il (?:est|serait) possible|il existe|c'est possible|ce serait possible|"
    r"(?:il )?(?:y a|y'a|ya|y aurait) (?:moyen|un moyen|" + _QU + r"))"
)
# After "ich frage mich": a wh-word or "ob", then the others or whether something can be done.
_DE_OTHERS = (
    r"(?:ob|wie|warum|wieso|wo|wann|was|wer|welche\w*) (?:hier |schon |mal |vielleicht |denn )?"
    r"(?:jemand|irgendwer|irgendjemand|ihr|du|einer von euch|jemand von euch|es möglich|es eine möglichkeit|"
    r"es einen weg)\b"
)
_FR_INVERTED = (
    # Verbs whose `-vous`/`-nous` form is an inversion, not a reflexive imperative ("inscrivez-vous").
    r"(?:avez|êtes|etes|pouvez|savez|connaissez|voulez|pensez|croyez|trouvez|aimez|venez|allez|utilisez|"
    r"comptez|préférez|preferez|conseillez|recommandez|devez|voyez|lisez|regardez|jouez|travaillez|habitez|"
    r"parlez|prévoyez|prevoyez|organisez|\w+iez|\w+rez|avons|sommes|pouvons|devons|allons|savons|aurons|"
    r"serons|\w+rions)-(?:vous|nous)"
)
OPENERS: dict[str, tuple[str, ...]] = {
    "fr": (
        r"est[- ]?ce\b",
        r"esque\b",
        r"eske\b",
        r"qu'est[- ]ce",
        r"quel(?:le)?s? ",
        r"pourquoi ",
        r"combien ",
        r"comment (?:on |je |j'|faire|fait|peut|puis|vous |tu |t'|est|ça |ca |se |s'|marche|installer|\w+er\b|"
        r"\w+-(?:je|tu|il|elle|on|nous|vous|ils|elles)\b)",
        r"où (?:est|sont|trouve|trouver|on |je |j'|puis|peut|se |s'|en |tu |vous |ça |ca |va |vont |"
        r"\w+-(?:je|tu|il|elle|on|nous|vous|ils|elles)\b)",
        # "ou" without its accent is mostly "or": only the forms that cannot be "or".
        r"ou (?:est |sont |se trouve|trouver|\w+-(?:je|tu|il|elle|on|nous|vous|ils|elles)\b)",
        r"quand (?:est|commence|sera|aura|a lieu|part|\w+-(?:je|tu|il|elle|on|nous|vous|ils|elles)\b)",
        r"qui (?:sait|saurait|peut|pourrait|connait|connaît|a |aurait|veut|voudrait|est |vient|viendrait|serait|"
        r"d'autre|joue|va )",
        r"que (?:\w+-(?:je|tu|il|elle|on|nous|vous|ils|elles)\b|faire|contient|contiennent|signifie|signifient|"
        r"veut dire|veulent dire|fait|font|faut|dois|doit|peut|peux|pensez|penses)\b",
        r"qu'(?:en |y )?\w+-(?:je|tu|il|elle|on|nous|vous|ils|elles)\b",
        r"\w+-t-(?:il|elle|on)\b(?<!semble-t-il)(?<!paraît-t-il)(?<!ajoute-t-il)(?<!précise-t-il)",
        r"\w+-(?:je|tu|ils|elles)\b",
        r"\w+[tda]-on\b",  # "peut-on", "a-t-on", "prend-on"; not "Stratford-on-Avon"
        r"(?:peut|puis|sait|faut|doit|est|sont|fait|ont|serait|aurait|existe|suffit|reste|vaut|manque|"
        r"marche|fonctionne|devrait|pourrait|était|etait|allait)-(?:il|elle)\b",
        _FR_INVERTED,
        r"y a[- ]t[- ]il",
        _QU + r" (?:sait|saurait|a |a-t-il|aurait|connait|connaît|connaitrait|peut|pourrait|utilise|est |serait|"
        r"veut|voudrait|va |vient|viendrait|ici|d'autre|l'a |y |se |s'|en |dispo|chaud|partant|intéressé|"
        r"interesse|aurai|as |ai )",
        r"(?:il )?(?:y a|y'a|ya|y aurait|y'aurait) moyen",
        # "Je me demande si c'est une bonne idée" doubts aloud: it asks only when it turns to the others ("je
        # me demande si quelqu'un…", "si vous…", "comment vous faites") or asks whether something can be done
        # ("si on peut…", "s'il est possible…", as "I wonder if it's possible"). The imperfect "je me
        # demandais si…" is the polite form of asking, as "I was wondering if…" is.
        r"je me demandais si\b",
        r"je me demand(?:e|ais)(?: bien| donc| juste)? (?:si |s'|comment |pourquoi |où |ou |quand |qui |quel\w* |"
        r"combien |ce qu'?)" + _FR_OTHERS,
        r"(?:je voulais|je voudrais|j'aimerais|je souhaiterais|je souhaite|j'aurais voulu) savoir",
        r"(?:une|des|aucune) idées? (?:de|d'|pour|sur|comment|pourquoi)",
        r"(?:conseillez|conseille|expliquez|explique|indiquez|indique|recommandez|recommande)-moi\b",
        r"savez-vous",
        r"sauriez-vous",
        r"(?:tu|vous) (?:sais|savez|saurais|sauriez) (?:si|s'il|s'ils|où|ou|comment|qui|pourquoi|quel|"
        r"combien|ce qu|à quelle|a quelle)",
        r"(?:tu|vous) (?:connais|connaissez|connaîtrais|connaitrais|connaîtriez|connaitriez) "
        r"(?!un peu|un petit peu)(?:un|une|des|" + _QU + r"|quelque)",
        r"(?:tu|vous) (?:aurais|auriez|pourrais|pourriez|saurais|sauriez|voudrais|voudriez|serais|seriez|"
        r"accepterais|accepteriez) ",
        r"(?:tu|vous|t') (?:as|avez) (?:déjà|deja|une idée|des idées|un lien|le lien|des nouvelles|essayé|essaye|"
        r"testé|teste|vu |pu |reçu|recu|trouvé|trouve )",
        # Requests without "?": "tu peux m'aider", "vous pouvez m'envoyer le lien" (not "tu peux venir": that
        # one may as well permit as ask), "t'as le lien", and "des idées" / "une idée" on their own.
        r"(?:tu|vous) (?:peux|peut|pouvez) (?:m'|me |nous |m |svp|stp|s'il)(?!croire\b|faire confiance)",
        r"t'(?:as|avez) (?:déjà|deja|une idée|des idées|un lien|le lien|les liens|des nouvelles|essayé|essaye|"
        r"testé|teste|vu |pu |reçu|recu|trouvé|trouve )",
        r"(?:une|des) idées?" + END,
        r"di(?:tes|s)[- ]moi(?! si\b)",
        r"(?:c'est|cest|c) (?:quoi|qui|où|combien|quand(?! même))\b",
        r"quoi de (?:neuf|beau|prévu|prevu)",
        # French asks with the wh-word last in speech: "on fait quoi", "vous en pensez quoi", "ça commence quand".
        r"(?:tu|vous|on|ça|ca|il|elle|ils|c'est|cest|t'[^\W\d_]+)(?: [^\W\d_']+){0,3}(?<!importe)(?<!pas)"
        r"(?<! de)(?<!sais)(?<! comme) (?:quoi(?: [^\W\d_']+){0,3}|où|quand|combien|comment)" + END,
    ),
    "en": (
        r"(?:how|what|where|why|when|who|wat|wut|wot) (?:do|does|did|is|are|was|were|can|could|should|would|"
        r"will|to|much|many|long|often|about|if|kind|version|happens|happened|exactly|else|'s|'re|'d|'ll|"
        r"r|dont|doesnt|didnt|isnt|arent|cant)\b",
        r"(?:how|what|where|who|why|when)(?:'s|'re|'d|'ll|s|d)\b",
        r"(?:how|what|where|who|why|wat|wut) (?:u|ya|yall|y'all|you guys|u guys)\b",
        r"(?:how|what|where) you (?:doing|up|think|mean|want|got|been|gonna|guys|thinking|playing|watching|"
        r"reading|listening|working|going|at|from|feel|feeling|like|say|talking|looking)\b",
        # ("what they did was…", "what I do is…" are statements: a pronoun after "what" is its subject.)
        r"(?:which|what) (?!i |we |they |you |he |she |it |u )\w+ (?:do|does|did|is|are|should|would|can|will)\b",
        r"why (?:not|isn't|doesn't|don't|won't|can't|isnt|doesnt|dont|wont|cant|am|are)\b",
        r"who (?:knows|has|wants|can|is|else|got|needs|wanna|would|will|did|does|here)\b",
        r"which (?:one|ones|of|way)\b",
        r"which (?:is|are|was|were|do|does|did|should|would|can|could|will) (?:the|a|an|it|one|better|best|you|u|"
        r"i|we|they|your|my|more|most|less|faster|easier|cheaper|correct|right|recommended)\b",
        r"how come\b",
        r"(?:can|could|would|will|should|shall|may|might|does|did|is|are|was|were|am|must|r)"
        r"(?:n't|nt)? (?:i|you|we|they|he|she|it|anyone|anybody|any1|someone|somebody|everyone|everybody|there|"
        r"this|that|these|those|my|your|our|the|one|u|ya|yall|y'all|ye|ur|any)\b",
        # "do it", "have the same problem": an imperative or a dropped "I", unless a person follows.
        r"(?:do|have|has|had)(?:n't|nt)? (?:i|you|we|they|he|she|anyone|anybody|any1|someone|somebody|everyone|"
        r"everybody|there|u|ya|yall|y'all|ye|people|ppl|guys|y'all)\b",
        r"(?:cant|wont|aint) (?:i|you|we|they|he|she|it|anyone|anybody|someone|u)\b",
        r"(?:anyone|anybody|any1|ne1|any one)(?: here| else| out there| around)? (?:know|knows|have|has|got|"
        r"gotten|tried|try|seen|see|heard|hear|use|used|using|wanna|want|wants|need|needs|play|played|playing|"
        r"watch|watched|watching|read|going|gonna|goin|up|on|online|awake|around|here|there|else|ever|familiar|"
        r"able|experienced|interested|free|willing|done|did|do|does|remember|recall|recommend|suggest|care|like|"
        r"feel|think|been|listen|listening|from|in|into|live|living|still|already|help|alive|home|figure|"
        r"figured|found|find|run|running|get|getting|bought|buy|own|tested|installed|install|notice|noticed|"
        r"experiencing|having|had|\w+ing|\w+ed)\b",
        r"(?:someone|somebody|does anyone|does anybody|do you|did anyone|has anyone|is anyone) "
        r"(?:know|knows|have|has|tried|seen|got|use|using|here|else|familiar|able|around|experienced)\b",
        r"any (?:other|idea|ideas|tips|advice|suggestions|suggestion|recommendations|thoughts|way|chance|update|"
        r"updates|"
        r"news|luck|plans|clue|reason|pointers|takers|word|progress|one know|1 know)\b",
        r"is there (?:a|an|any|anything|anyone|anybody|someone|somebody|something|some|way|still)\b",
        # Polite questions to the others ("I was wondering if anyone…"); "I wonder why." muses.
        r"(?:i |i'm |im )?(?:was |am )?wondering (?:if|whether)\b",
        r"i wonder (?:if|whether) (?:anyone|anybody|someone|somebody|you|u|there|it's possible|it is possible)\b",
        # A question announced ("was gonna ask if anyone has the slides", "wanted to ask if someone could…") is
        # asked, as "I was wondering if…" is; "I was gonna ask him but…" tells what did not happen.
        r"(?:i |i'm |im |i am )?(?:was |were |am |just |also |really )*(?:gonna|gunna|going to|goin to|about to|"
        r"wanted to|want to|meant to|meaning to|would like to|wanna) ask(?: you| u| y'all| yall| you guys| you all|"
        r" everyone| everybody| all| the group| here| around| real quick| quickly)* (?:if|whether)\b",
        r"(?:do |d)?(?:you|u|ya|yall|y'all) (?:wanna|want to|wan na)\b",
        r"wanna\b",
        r"(?:you|u|ya) (?:guys|all) (?:know|have|got|think|wanna|want|ever|still|ok|okay|going|coming|up|free|"
        r"around|there|awake|using|use|play|playing)\b",
        r"(?:you|u|ya) (?:ever|still there|ok|okay|alright|there|around|free|awake|home|sure|coming|going to the|"
        r"gonna be|want me|got a sec|got time|got any|have any|know (?:if|where|when|who|whether|any|"
        r"anyone|anybody|of a|of any|a good|why|what time))\b",
        r"r (?:u|you|ya|yall|we|they|there)\b",
        r"(?:got|have) any\b",
        r"know (?:any|anyone|anybody|if|whether|of a|of any|a good|where)\b",
    ),
    "es": (
        r"¿",
        r"(?:cómo|qué|cuál|cuáles|quién|quiénes|dónde|cuándo|cuánto|cuántos|cuánta|cuántas|por qué) ",
        r"alguien (?:sabe|tiene|ha|conoce|puede|podría|usa|me|aquí|aqui|más|mas|por aquí|juega|quiere|va|viene|"
        r"está|esta|sabría|tendrá|entiende|recomienda|vio|probó|probo)\b",
        r"(?:alguno|alguna|algun@|algunx) (?:sabe|tiene|conoce|ha|de ustedes|de vosotros)\b",
        r"(?:sabéis|sabes|saben|sabrías|sabrían|sabeis) (?:si|cómo|como|qué|dónde|donde|cuándo|cuando|quién|"
        r"quien|cuál|cual|algo|alguna|algún|algun)\b",
        r"(?:conoces|conocen|conocéis|conoceis) (?:algún|algun|alguna|alguien|a alguien)\b",
        r"(?:tienes|tienen|tenéis|teneis) (?:algún|algun|alguna|idea)\b",
        r"hay (?:alguna|algún|algun|alguien|forma|manera|modo|algo|posibilidad)\b",
        r"(?:me )?(?:podéis|podeis|podrías|podrias|podrían|podrian|puedes|pueden) ",
        r"me (?:ayudan|ayudas|ayudáis|recomiendan|recomiendas|recomendáis|dicen|dices|decís|explicas|explican|"
        r"pasan|pasas)\b",
        r"(?:como|que|cual|cuales|donde|cuando|quien|quienes|cuanto|cuanta|cuantos|cuantas|por que) "
        r"(?:hago|puedo|podemos|se |hay|es |son|tengo|debo|hacer|opinan|opinas|opináis|piensan|pensáis|piensas|"
        r"recomiendan|recomiendas|tal|pasa|pasó|significa|onda|sabes|saben|quieres|quieren|haces|hacen|usan|"
        r"usas|cuesta|vale)",
        r"es posible\b",
        r"se puede\b",
        r"alguna idea\b",
    ),
    "de": (
        # "was" opens English clauses too ("was gonna ask", "was going to"): only a German word after it.
        r"was (?:ist|sind|war|waren|wird|werden|kann|kannst|können|könnt|konnte|muss|musst|müssen|soll|sollte|"
        r"sollen|macht|machst|machen|mache|meint|meinst|denkt|denkst|haltet|hältst|hat|hast|habt|haben|gibt|"
        r"gibts|gibt's|geht|bedeutet|heißt|heisst|kostet|brauche|brauchst|braucht|brauchen|würdet|würdest|"
        r"würde|wäre|wären|empfehlt|empfiehlst|sagt|sagst|passiert|fehlt|genau|für|bringt|spricht|tun|tut|"
        r"tust|darf|will|willst|wollt|wollen|habe|hab|bin|bist|seid|läuft|los|ich|du|ihr|man|wir|denn|noch|"
        r"findet|findest|spielt|spielst|könnte|könntest|nutzt|verwendet|benutzt|steht|hättet|hättest|wisst|"
        r"weißt|weisst|zum|gab|lief|habt)\b",
        r"(?:wie|warum|wieso|weshalb|wer|wo|wann|woher|wohin|womit|wozu|welche|welcher|welches|welchen|welchem)"
        r" (?!gesagt\b|auch immer\b|immer\b|schon gesagt\b|erwartet\b|besprochen\b|versprochen\b|geil\b|"
        r"schön\b|cool\b|lustig\b|toll\b|süß\b|peinlich\b|gewohnt\b|üblich\b|angekündigt\b|erwähnt\b)",
        r"(?:kann|kannst|können|könnt|könnte|könntest|könnten|weiß|weiss|weißt|weisst|wisst|gibt|hat|hast|habt|"
        r"ist|sind|bist|seid|war|warst|wart|waren|muss|musst|müssen|soll|sollte|solltest|sollen|darf|dürfen|"
        r"würde|würdest|würden|funktioniert|geht|klappt|braucht|brauche|brauchst|kennt|kennst|hättet|hätte|"
        r"hättest|habe|hab|mache|macht|sieht|will|willst|wollt|magst|mögt|möchtest|möchtet|spielt|spielst|"
        r"nutzt|benutzt|verwendet|findet|findest|wäre|läuft|lohnt|kommt|kommst) "
        r"(?:man|ich|du|er|sie|es|wir|ihr|jemand|wer|einer|das|der|die|dieser|diese|irgendwer|irgendjemand|"
        r"hier|mir|mal)\b",
        r"(?:weiß|weiss|hat|kennt|kann|hätte|nutzt|benutzt) (?:jemand|wer|irgendwer|irgendjemand)\b",
        r"gibt(?: es|s|'s)\b",
        r"jemand (?:eine|ne|'ne|nen|'nen|einen|erfahrung|ahnung|tipps|lust|zeit|hier|da|online)\b",
        r"irgendwelche (?:ideen|tipps|erfahrungen)\b",
        # "Ich frage mich, warum." muses; it asks when it turns to the others (see `INSIDE` for the comma).
        r"ich frage mich,? " + _DE_OTHERS,
    ),
    "it": (
        # ("perché" also means "because": an answer, "perché non sono paziente", opens like a question.)
        r"(?:perché|perchè|perche) (?:si |posso|possiamo|devo|dovrei|serve|bisogna|conviene|usate|usi|avete|hai|"
        r"mai|non (?:funziona|va|parte|riesco|posso|si))",
        r"(?:quanto|quanta|quanti|quante|quale|quali) (?:[^\W\d_]+ ){1,3}(?:devo|dovrei|posso|potrei|si |è |e' |"
        r"sono|bisogna|serve|conviene|contiene|contengono|c'è)",
        r"che [^\W\d_]+ (?:ha|hanno|contiene|contengono)\b",
        r"(?:consigliami|consigliatemi|dimmi|ditemi|spiegami|spiegatemi|suggeriscimi|suggeritemi|indicami|"
        r"indicatemi)\b",
        r"vorrei (?:sapere|capire|chiedere|avere (?:qualche |delle |alcune )?informazion)",
        r"(?:come|cosa|che cosa|quale|quali|chi|dove|quando|quanto|quanti|quanta|quante) (?!(?:here|there|where)\b)"
        r"(?:si |posso|possiamo|faccio|fate|fai|funziona|mai|è |e' |sono|devo|dovrei|serve|bisogna|conviene|"
        r"ne |ci |vi |mi |ti |usate|usi|avete|hai|sapete|sai|pensate|ha |non |va |stai|state|\w+are\b|"
        r"\w+ere\b|\w+ire\b)",
        r"che (?:ne (?:pensate|pensi|dite|dici)|cosa|fate|fai|facciamo|faccio|pensate|pensi|dite|dici|ore|"
        r"ora è|tipo di|giorno|differenza|succede|significa|vuol dire|intendi|intendete|stai|state|c'è|ce |"
        r"avete|hai|serve|ci fai)\b",
        r"(?:cos'è|cosè|com'è|dov'è|dovè|qual è|qual'è|quale è)",
        r"come (?:mai|va|stai|state)\b",
        r"qualcuno (?:sa|ha|conosce|può|puo|potrebbe|usa|mi|di voi|qui|vuole|viene|gioca|è|e')\b",
        r"(?:c'è|ce|c e) (?:un|una|qualcuno|modo|qualcosa|nessuno)\b",
        r"(?:sapete|sai|sapreste|sapresti) (?:se|come|dove|quando|chi|cosa|quale|perché|perche)\b",
        r"mi (?:sapete|sai|sapreste|sapresti|potete|potresti|puoi|aiutate|aiuti|consigliate|consigli|dite|dici|"
        r"spiegate|spieghi)\b",
        r"(?:avete|hai) (?:mai|già|gia|provato|visto|sentito|letto|idea|consigli|qualche|notizie)\b",
        r"(?:conoscete|conosci) (?:un|una|qualche|qualcuno|dei|delle)\b",
        r"(?:vi|ti) va\b",
        r"si può\b",
        r"si puo\b",
        r"è possibile\b",
        r"(?:potete|potresti|puoi|posso) ",
        r"qualche (?:idea|consiglio|suggerimento)\b",
    ),
    "pt": (
        r"quando (?:é|começa|vai|será|termina|abre|sai|acontece)\b",
        r"como eu (?:faço|posso|consigo|devo)\b",
        r"(?:como|porque|por que|o que|oq|oque|o q|qual|quais|quem|onde|quanto|quantos|quanta|quantas) "
        r"(?:faço|fazer|faz|fazemos|posso|podemos|pode|vocês|você|voce|vc|vcs|se |é |e |são|devo|funciona|"
        r"consigo|tem |têm|usam|acham|acha|sabem|não|nao|foi|aconteceu|significa|rolou|vai|vão|tá|ta |está|"
        r"\w+ar\b|\w+er\b|\w+ir\b)",
        r"como (?:assim|que|vai|vão|está|esta|tá|estão|foi)\b",
        r"(?:que|qual) (?:horas|dia|a |o |seu|sua|melhor)\b",
        r"por quê\b",
        r"(?:cadê|cade)\b",
        r"(?:será|sera) que\b",
        r"(?:alguém|alguem|algm) (?:sabe|tem|já|ja|conhece|pode|poderia|usa|me|aí|ai|aqui|joga|quer|vai|viu|"
        r"recomenda|indica|manja|entende|consegue|afim|a fim|online)\b",
        r"(?:vocês|voces|vcs|vc|você|voce|tu) (?:sabem|sabe|conhecem|conhece|têm|tem|acham|acha|usam|usa|"
        r"já|ja) (?:se|como|onde|quando|quem|qual|o que|oq|algum|alguma|alguém|alguem|um|uma|que|q|viu|viram|"
        r"jogou|jogaram|assistiu|assistiram|tentou|tentaram|usou|usaram|foi|foram|ouviu|leu|testou)\b",
        r"(?:vocês|voces|vcs) (?:sabem|conhecem|têm|tem|acham|usam)\b",
        r"(?:sabem|sabe) (?:se|como|onde|quando)\b",
        r"(?:dá|da) (?:para|pra)\b",
        r"tem como\b",
        r"tem (?:alguém|alguem|algum|alguma|jeito)\b",
        r"é possível\b",
        r"existe (?:algum|alguma)\b",
        r"(?:podem|poderiam|pode|poderia|consegue|conseguem) (?:me|ajudar)\b",
        r"alguma (?:ideia|dica|sugestão|sugestao)\b",
    ),
}

# Every language's table: at most three fillers, then one of its openers, at the start of a clause.
TABLES: dict[str, re.Pattern[str]] = {
    lang: re.compile("^(?:(?:" + FILLERS[lang] + r")\s+){0,3}(?:" + "|".join(patterns) + ")")
    for lang, patterns in OPENERS.items()
}

# "does anyone have…" inside a sentence ("I have plenty sheep does anyone have clay") asks as much as at
# its start: an auxiliary, then someone, then a verb, in that order, never opens a statement.
INSIDE: dict[str, re.Pattern[str]] = {
    "en": re.compile(
        r"\b(?:does|do|did|has|would|could|can|will)\s+(?:anyone|anybody|any1|any one|someone|somebody)\s+"
        r"(?:have|has|got|want|wanna|need|know|knows|fancy|spare|give|trade|offer|help)\b"
    ),
    # "ich frage mich, ob jemand…": the comma cuts the clause the opener table reads.
    "de": re.compile(r"\bich frage mich,\s*" + _DE_OTHERS),
}

# The words that let the language-free pre-check look for `INSIDE` at all (it runs on every message; the
# German "ich frage mich, ob jemand…" gets past it by its opener, which may run past the comma there).
SOMEONE = ("anyone", "anybody", "any1", "any one", "someone", "somebody")

# One filler of a language with the spaces after it, to step over a clause's fillers.
LANG_FILLER = {lang: re.compile(r"(?:" + fillers + r")\s+") for lang, fillers in FILLERS.items()}
