"""Question detection: is a chat message asking something? Pure and table-driven, in six languages.

A message is a question when, once quotes, code, links, custom emoji and spelling doubts (`(sp?)`) are
set aside, it ends with a question mark (trailing emoji, spaces, closing quotes and `»` allowed) or one
of its clauses opens with an interrogative form of its language (`comment faire`, `peut-on`, `qqn a`,
`how do I`, `whats`, `anyone got`, `weiß jemand`...), after any greeting or filler (`hey guys`,
`salut`, `du coup`). Commands, quotes, reactions (`ok?`, `what?`, `vraiment ?`) and set phrases that
only look like questions (`what can I say`, `who knows`, `pourquoi pas`, `wie gesagt`) are not.
A single word with a question mark asks something (`metallica?`, `demain ?`) unless it is a reaction.
Someone else's words are not the poster's question: quoted, reported ("they ask me, why…", "…? se demande
Le Progrès") or named as a title ("l'ouvrage Comment monter… ?"); nor is a speaker's search for words
("what was I going to say") or, without a question mark, a clause another verb embeds ("je regardais
comment…").

`is_candidate` is the cheap, language-free pre-check run on every message; `is_question` decides
with the language's table once the (costlier) language detection has run on candidates only.
"""

from __future__ import annotations

import re

LANGUAGES: tuple[str, ...] = ("fr", "en", "es", "de", "it", "pt")

# Every pattern below reads lower-cased text whose typographic apostrophes are straight ones (`_fold`).

# Greetings, fillers and conjunctions a clause may open with before its interrogative form ("hey guys
# how do I...", "salut tout le monde qqn a...", "du coup on fait comment"); at most three of them.
_FILLERS: dict[str, str] = {
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
# The end of a clause, as `_CLAUSES` cuts it: the pre-check matches the whole text, the tables a clause.
_END = r"(?=\s*(?:$|[.,;:!\n…()?？]|[-–—]\s))"
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
_OPENERS: dict[str, tuple[str, ...]] = {
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
        r"di(?:tes|s)[- ]moi(?! si\b)",
        r"(?:c'est|cest|c) (?:quoi|qui|où|combien|quand(?! même))\b",
        r"quoi de (?:neuf|beau|prévu|prevu)",
        # French asks with the wh-word last in speech: "on fait quoi", "vous en pensez quoi", "ça commence quand".
        r"(?:tu|vous|on|ça|ca|il|elle|ils|c'est|cest|t'[^\W\d_]+)(?: [^\W\d_']+){0,3}(?<!importe)(?<!pas)"
        r"(?<! de)(?<!sais)(?<! comme) (?:quoi(?: [^\W\d_']+){0,3}|où|quand|combien|comment)" + _END,
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
        # "Ich frage mich, warum." muses; it asks when it turns to the others (see `_INSIDE` for the comma).
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

# Clauses that open like a question but say something (rhetorical or idiomatic), matched where the
# opener would be: "what can I say", "who knows", "pourquoi pas", "wie gesagt", "che ne so".
_SET_PHRASES: dict[str, tuple[str, ...]] = {
    "fr": (
        r"pourquoi pas(?: (?:lol|mdr|après tout|apres tout))?$",
        r"qui sait(?: (?:lol|mdr))?$",
        r"quel(?:le)?s? (?:plaisir|bonheur|horreur|honte|dommage|chance|joie|bonne nouvelle|galère|galere|"
        r"beauté|belle|beau|bel|blague|merde|bordel|enfer|surprise|talent|classe|idiot|idiote|angoisse|"
        r"tristesse|soulagement|boulot|travail|histoire|aventure|émotion|emotion)\b",
        r"comment dire\b",
        r"(?:voyez|vois|savez|sais)-(?:vous|tu)$",
        r"\w+-t-(?:il|elle|on) (?:dit|indiqué|expliqué|ajouté|précisé|déclaré|affirmé|souligné|estimé|confié|"
        r"assuré|rappelé|reconnu|poursuivi|annoncé|raconté|répondu|lancé|conclu|noté|insisté|résumé)\b",
        r"(?:dit|ajoute|explique|précise|souligne|indique|affirme|déclare|estime|confie|assure|rappelle|"
        r"reconnaît|poursuit|annonce|raconte|lance|répond|conclut|note|observe|insiste|résume|entend|lit|"
        r"semble|paraît|parait)-(?:t-)?(?:il|elle|on|ils|elles)\b",
        r"allez savoir\b",
        r"va savoir\b",
        r"(?:tu|vous) (?:sais|savez) (?:quoi|ce qu)",
        r"comment (?:dirais-je|dirai-je)$",
    ),
    "en": (
        r"what can (?:i|you|we) (?:say|do)(?: lol| haha)?$",
        r"what can i say\b",
        r"what do (?:i|you|we) know$",
        r"who (?:knows|cares)(?: lol| haha| really| though| tho| anyway)?$",
        r"why not(?: lol| haha| though| tho)?$",
        r"how (?:come|about) (?:it|that)$",
        r"which (?:is|was|means|meant|makes|made) (?:why|how|what|great|good|nice|cool|fine|awesome|weird|odd|"
        r"strange|funny|interesting|sad|bad|a |an |also|not|probably|really|pretty|very|so|just|kind|kinda|sort|"
        r"totally|exactly|more|less|still|only|even|the reason|when|where)",
        r"(?:do |did )?you know what\b",
        r"guess what\b",
        r"what's (?:more|worse)\b",
        # "so do we", "so does my husband" agree; "so do you know how…" asks (the phrase must end the clause).
        r"(?:so|neither|nor) (?:do|does|did|am|is|are|was|were|have|has|can|could|will|would|should) "
        r"(?:i|we|you|they|he|she|it|(?:my|his|her|our|their|your|the) [^\W\d_]+)(?: too| though| tho)?$",
        # Pseudo-clefts: "what happened was…", "what's amazing is…" say what, they ask nothing.
        r"what (?:happened|happens|happen) (?:was|is)\b",
        r"what(?:'s| is| was) (?:amazing|funny|interesting|strange|weird|sad|scary|important|nice|great|worse|"
        r"left|neat|cool|odd|ironic|surprising|frustrating|annoying|crazy|bad|good|nice|hard|easy|true|sure) "
        r"(?:is|was)\b",
        r"(?:don't|doesn't|didn't|isn't|aren't|haven't|hasn't|can't|won't) (?:we|you|they|i|he|she|it) all\b",
        r"should (?:you|anyone|anybody|they|we|there) (?:need|require|wish|have any)\b",
        r"(?:is|was) (?:the|my|your|one|this|that) (?:best|worst|first|last|only|same|one)\b(?! \w+ (?:you|u)\b)",
        # A speaker searching for their own words asks nobody ("what was I going to say", "how can I put it").
        r"what (?:else )?(?:was|am) i (?:going to|gonna|about to|trying to) say\b",
        r"what (?:do|did) i (?:want|mean|wanna) (?:to )?say\b",
        r"how (?:can|do|shall|should|could) i (?:say|put|describe|explain) (?:it|this|that)$",
        r"what's the word$",
        r"isn't (?:that|it) (?:the truth|funny|great|something|amazing|nice|wild|crazy|"
        r"interesting|wonderful|strange|weird|ironic)$",
    ),
    "es": (
        r"por qué no$",
        r"quién sabe$",
        r"qué (?:bueno|bien|bonito|bonita|lindo|linda|guay|pena|rico|rica|suerte|horror|miedo|asco|raro|rara|"
        r"gracioso|graciosa|fuerte|locura|alegría|alegria|triste|mal|feo|fea|chulo|chula)\b",
        r"cómo no$",
    ),
    "de": (
        r"warum nicht$",
        r"wer weiß$",
        r"wer weiss$",
        r"was weiß ich\b",
        r"(?:kann|muss|weiß|weiss|habe|hab|mache|mach|werde|würde|darf|sollte|könnte) ich (?:nicht|auch|mal|"
        r"gern|gerne|bestätigen|verstehen|nachvollziehen|leider|noch|dir|euch|ihnen|morgen|heute|später|gleich|"
        r"schon|bald|jetzt|sofort|so)\b",
        r"(?:ist|war) (?:doch|halt|eben|ja|echt|wirklich|schon|auch|mir|egal|gut|super|toll|klar)\b",
    ),
    "it": (
        r"perché no$",
        r"perche no$",
        r"chi lo sa$",
        r"che ne so\b",
        r"come (?:ho detto|dicevo|sempre|al solito|previsto|promesso|da programma)\b",
    ),
    "pt": (
        r"por que não$",
        r"porque não$",
        r"quem sabe(?! (?:se|como|onde|quando|qual|o que))",
        r"como (?:eu disse|sempre|combinado|prometido|previsto)\b",
        r"que (?:bom|legal|pena|massa|top|lindo|linda|show|saudade|saudades|delícia|delicia)\b",
    ),
}

# One-word or formulaic reactions that end with "?" but ask nothing worth tracking. Runs of three or more
# identical letters are read as one ("whaaat", "hmmm"): see `_squeeze`.
_REACTIONS: frozenset[str] = frozenset(
    {
        # French
        "ah bon",
        "c'est vrai",
        "sérieux",
        "serieux",
        "sérieusement",
        "vraiment",
        "ah oui",
        "hein",
        "quoi",
        "comment",
        "non",
        "oui",
        "pardon",
        "et alors",
        "alors",
        "et",
        "pourquoi pas",
        "comment ça",
        "comment ca",
        "ah ouais",
        "ouais",
        "vraiment pas",
        "t'es sûr",
        "t'es sur",
        "tu es sûr",
        "vous êtes sûr",
        "t'es sérieux",
        "tu crois",
        "vous croyez",
        "tu trouves",
        "bah",
        "ben",
        "euh",
        "mdr",
        "ptdr",
        "hé",
        "eh",
        "han",
        "hum",
        "ah non",
        "oh non",
        "d'accord",
        "ok d'accord",
        "ah d'accord",
        "c'est-à-dire",
        "c'est à dire",
        "qui sait",
        "allô",
        "allo",
        "n'est-ce pas",
        "pas vrai",
        "hein quoi",
        "quoi donc",
        # English
        "really",
        "seriously",
        "for real",
        "are you serious",
        "you serious",
        "you sure",
        "are you sure",
        "no way",
        "right",
        "huh",
        "what",
        "sure",
        "lol",
        "lmao",
        "wat",
        "wut",
        "wot",
        "wtf",
        "wth",
        "omg",
        "srsly",
        "rly",
        "oh really",
        "oh yeah",
        "yeah",
        "yea",
        "yep",
        "yes",
        "no",
        "nope",
        "why not",
        "how come",
        "who knows",
        "who cares",
        "so what",
        "what the hell",
        "what the heck",
        "what the fuck",
        "excuse me",
        "sorry",
        "come again",
        "pardon me",
        "i'm sorry",
        "im sorry",
        "sorry what",
        "i'm sorry what",
        "a what",
        "did what",
        "do what",
        "think so",
        "you think so",
        "say what",
        "huh what",
        "what now",
        "yeah right",
        "is that so",
        "is that right",
        "oh is it",
        "right right",
        "you think",
        "hello",
        "um",
        "uh",
        # Spanish
        "en serio",
        "de verdad",
        "verdad",
        "ah sí",
        "ah si",
        "qué",
        "que",
        "cómo",
        "como",
        "por qué no",
        "quién sabe",
        "sí",
        "si",
        # German
        "wirklich",
        "echt",
        "ernsthaft",
        "was",
        "wie",
        "ach ja",
        "ach so",
        "warum nicht",
        "wer weiß",
        "ja",
        "nein",
        "häh",
        "hä",
        "hae",
        # Italian
        "davvero",
        "sul serio",
        "ah sì",
        "cioè",
        "cosa",
        "perché no",
        "chi lo sa",
        # Portuguese
        "sério",
        "serio",
        "verdade",
        "é mesmo",
        "jura",
        "né",
        "por que não",
        "quem sabe",
        "hã",
        # A bump in one's own thread, a greeting or a ping asks nothing new
        "anyone",
        "anybody",
        "any1",
        "someone",
        "somebody",
        "help",
        "bump",
        "up",
        "ping",
        "hey",
        "hi",
        "quelqu'un",
        "qqn",
        "personne",
        "coucou",
        "salut",
        "alguien",
        "hola",
        "jemand",
        "hallo",
        "qualcuno",
        "ciao",
        "alguém",
        "alguem",
        "oi",
        "olá",
        # Everywhere
        "ok",
        "okay",
        "k",
        "oh",
        "ah",
        "hm",
        "hmm",
        "and",
        "so",
        "e",
        "y",
        "und",
    }
)

_QUOTE_LINE = re.compile(r"^\s*(?:>|&gt;).*$", re.MULTILINE)
# A question mark in brackets after a word doubts a spelling or a figure ("Tchaikovsky (sp?)", "2019 (?)").
_DOUBT = r"[(\[]\s*(?:sp|sic|spelling|sp\.)?\s*\?+\s*[)\]]"
# ASCII emoticons after a question mark ("got clay?:P", "ore?:D") are decoration, like emoji.
_EMOTICON = r"(?<![\w:/])[:;=8][-'o^]?[dpo3)(\]\[/\\|*]+(?!\w)|(?<!\w)x[dp](?!\w)|\^\^|<3"
_NOISE = re.compile(
    r"```.*?```|`[^`]*`|https?://\S+|<a?:\w+:\d+>|<[@#!][^>]*>|:[a-z0-9_+-]+:|" + _DOUBT + "|" + _EMOTICON,
    re.DOTALL | re.IGNORECASE,
)
# Someone else's words in quotation marks ("il m'a dit « tu viens ? »", 'he asked "why?"') are not the
# poster's question; a quote left open runs to the end of the text. Bounded: no nesting, one pass.
_QUOTED = re.compile(r"«[^«»]*(?:»|$)|“[^“”]*(?:”|$)|„[^„“”]*(?:[“”]|$)|\"[^\"\n]*\"")
_TRAILING = re.compile(r"[?？¿]\W*$")  # emoji, spaces, closing quotes and » are all non-word characters
_EXCLAIMED = re.compile(r"![^\w?？]*$")  # "Quel plaisir de vous voir !" exclaims, it does not ask
_SENTENCE = re.compile(r"(?<=[?？])\s+")
_CLAUSES = re.compile(r"[.,;:!\n…()]+|\s[-–—]\s")
_LEADING = re.compile(r"^[\W\d_]+")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_SQUEEZE = re.compile(r"([^\W\d_])\1{2,}")
_TABLES: dict[str, re.Pattern[str]] = {
    lang: re.compile("^(?:(?:" + _FILLERS[lang] + r")\s+){0,3}(?:" + "|".join(patterns) + ")")
    for lang, patterns in _OPENERS.items()
}
_SET_TABLES: dict[str, re.Pattern[str]] = {  # `$` there is the clause's end, "?" or "!" allowed
    lang: re.compile("^(?:(?:" + _FILLERS[lang] + r")\s+){0,3}(?:" + "|".join(patterns).replace("$", _END) + ")")
    for lang, patterns in _SET_PHRASES.items()
}
# A sentence ending "..., pourquoi pas ?", "... who knows?" or with a tag that seeks agreement ("..., hein ?",
# "..., tu vois ?", "..., you know?") shrugs or checks: the rest must ask on its own.
_SHRUGS: dict[str, tuple[str, str]] = {  # (anywhere after a non-letter, only after a comma)
    "fr": (
        r"pourquoi pas|qui sait|hein|tu vois|vous voyez|voyez|tu sais|vous savez|n'est-ce pas|pas vrai|"
        r"tu crois pas|tu imagines|vous imaginez|tu te rends compte|tu te rappelles|tu te souviens",
        r"non",
    ),
    "en": (r"why not|who knows|you know|ya know|you see|huh|innit|don't you think", r"no"),
    "es": (r"por qué no|quién sabe|¿no|sabes", r"no"),
    "de": (r"warum nicht|wer weiß|wer weiss|nicht wahr|gell|weißt du|weisst du", r"oder"),
    "it": (r"perché no|chi lo sa|sai", r"no|vero"),
    "pt": (r"por que não|quem sabe|não é|sabe", r"né"),
}
_TRAILING_SHRUG: dict[str, re.Pattern[str]] = {
    lang: re.compile(r"(?:(?:^|\W)(?:" + anywhere + r")|,\s*(?:" + after_comma + r"))\W*$")
    for lang, (anywhere, after_comma) in _SHRUGS.items()
}
# Echoes and backchannels in question form ("Oh, do they?", "He does?", "Is that right?", "tu vois ?"): the
# listener reacts, asks nothing to answer.
_ECHO = re.compile(
    r"^(?:(?:oh|ah|uh|um|well|really|so|and|yeah|mm)\s+){0,2}(?:"
    r"(?:do|did|does|is|are|was|were|have|has|had|can|could|will|would|should|must)(?:n't)? "
    r"(?:you|i|he|she|it|they|we|that|there|ya|u)|"
    r"(?:you|i|he|she|it|they|we|that) (?:do|did|does|is|are|was|were|have|has|had|can|could|will|would|"
    r"should|don't|didn't|doesn't|isn't|aren't|wasn't|weren't|haven't|hasn't|can't|won't|wouldn't)|"
    r"(?:is|was) (?:that|it) (?:so|right|true|all)|(?:you|ya) (?:know|see|mean)(?: what i mean)?|"
    r"know what i mean|(?:ah |oh )?(?:c'est|c'était|c'etait) (?:vrai|sûr|sur|ça|ca)|"
    r"(?:tu|vous) (?:vois|voyez|sais|savez|imagines|imaginez|crois|croyez|te rends compte|vous rendez compte|"
    r"te souviens|vous souvenez|te rappelles|vous rappelez|as vu|avez vu)|t'as vu|voyez"
    r")(?: not| too| really| now| though| then| non| pas| hein| quoi)?$"
)
# Reported speech: what follows "I said", "he asked", "il m'a dit", "je me suis dit" is someone's words, not
# the poster's question (with or without the quotation marks). Subject pronoun, then the speech verb.
_REPORTED: dict[str, re.Pattern[str]] = {
    "en": re.compile(
        r"\b(?:i|he|she|they|we|you|people|someone|somebody|everybody|everyone|my \w+|his \w+|her \w+)\s+"
        r"(?:(?:just|finally|then|always|would|'d|had|have|kept|was|were)\s+)?"
        r"(?:said|says|asked|asks|goes|went|told \w+|was like|were like|thought|wondered|saying|asking)\b"
        r"(?:\s+(?:to )?(?:me|him|her|them|us|you|myself|himself|herself))?"
        r"(?!\s*(?:that|to|so|it|yes|no|nothing|something|about|for|if|whether)\b)"
        # Any speaker: "people would have said, why…", "they ask me, why…", "I'm like, how do they…"; only
        # cut when the words that follow are set off or open as a question (see `_own_sentences`).
        r"|(?<=\w )(?<!i )(?<!going to )(?<!gonna )(?<!want to )(?<!wanted to )(?<!meant to )(?<!that )\b"
        r"(?:say|says|said|saying|asked|asks|suggested)\b(?:\s+(?:to )?(?:me|him|her|them|us|you)\b)?"
        r"|\b(?:ask|asking)\s+(?:me|him|her|them|us)\b"
        r"|\b(?:i'm|im|i was|it was|it's|he's|she's|they're|we're|he was|she was|they were|we were) like\b"
    ),
    "fr": re.compile(
        r"(?<![-'])\b(?:je|j'|il|elle|on|ils|elles|tu)\s*(?:(?:me|m'|te|t'|lui|leur|nous|vous|se|s')\s*)?"
        r"(?:(?:suis|est|ai|a|as|avait|avais|avons|ont)\s+)?"
        r"(?:dit|dis|disait|disais|demandé|demandait|demandais|répond|répondu|répondait|"
        r"pose la question|posé la question|pensé|pensais|pensait)\b"
        r"(?!\s*(?:que|qu'(?!est)|de|d'|à|ça|ca|rien|oui|non|si|s'il|s'ils)\b)"
        r"|\b(?:me|m'|lui|leur) (?:fait|fais|faisait)\b|\bje fais mais\b"
        r"|\b(?:pos\w+|demand\w+) (?:[^\W\d_]+ ){0,3}questions?\b"
        r"|\b(?:lui|leur) (?:demander|dire)\b|\bqui (?:me |m'|lui |nous |vous |leur )?(?:disait|demandait)\b"
    ),
}
# A sentence that opens with a speech verb put after its subject's words ("que va faire le président ?
# se demande Le Progrès", "tu viens ? demanda-t-il") says the question before it was someone else's.
# A capital after a word or a colon, in the middle of a sentence: where a title or a topic starts.
_TITLE = re.compile(r"(?<=[^\W\d_]\s|:\s)(?=[A-ZÀ-ÖØ-ÞŒ])")
_LETTERS = re.compile(r"[^\W\d_]+")
# Words that show the poster speaking for themselves or to the others (not naming a title).
_PERSON: dict[str, frozenset[str]] = {
    "fr": frozenset(
        {"je", "j", "tu", "t", "vous", "on", "nous", "me", "m", "moi", "mon", "ma", "mes", "ton", "ta", "tes"}
        | {"votre", "vos", "notre", "nos", "te", "toi", "svp", "stp"}
    ),
}  # French only: English chat capitalises at random ("It's over weight, Do you want…?")
# (the word before a title, the last word before a colon that introduces a topic)
_NAMING: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "fr": (
        frozenset(
            {"dans", "de", "du", "des", "par", "sur", "l", "le", "la", "les", "ouvrage", "livre", "roman", "film"}
            | {"chanson", "album", "titre", "intitulé", "intitulée", "émission", "pièce", "poème", "essai"}
            | {"article", "série", "spectacle", "conférence", "sketch", "œuvre", "épisode", "disque", "tube"}
        ),
        frozenset(
            {"question", "questions", "sujet", "thème", "titre", "dilemme", "interrogation", "intitulé", "est"}
            | {"était", "fut", "signifie", "suivante", "suivant", "problématique", "énigme"}
        ),
    ),
}
_SOMEONE = ("anyone", "anybody", "any1", "any one", "someone", "somebody")
_POSTPOSED: dict[str, re.Pattern[str]] = {
    "fr": re.compile(
        r"(?:se demande|se demandait|se demandent|se demandaient|s'interroge|s'interrogeait|"
        r"(?:demande|demanda|demandait|dit|disait|lance|lança|répond|répondit|interroge|interrogea|"
        r"s'exclame|s'exclama)-t?-?(?:il|elle|on|ils|elles)|"
        r"(?:m'|lui |me |nous |vous |leur )?a-t-(?:il|elle|on) (?:demandé|dit|lancé|répondu))\b"
    ),
}
# Without a question mark, a clause after a verb of seeing, showing or telling is what was seen or told
# ("je regardais, euh, comment se tournait la scène", "trying to think of what they are"), and a French
# clause in the imperfect after the start of a sentence narrates ("…, comment ça se passait").
_EMBEDDING: dict[str, re.Pattern[str]] = {
    "fr": re.compile(
        r"(?:^|\s)(?:voir|vu|regard\w*|expliqu\w*|découvr\w*|décrit|décrire|racont\w*|montr\w*|rappel\w*|"
        r"comprendre|compris|imaginer|imagine|de|sur)(?:\s+(?:euh|heu|hum|bah|ben))*$"
    ),
    "en": re.compile(
        r"(?:^|\s)(?:see|seeing|saw|seen|explain\w*|show\w*|think of|thinking of|figure out|find out|found out|"
        r"decide|remember|realize|understand|learn\w*|about|of|on|as to|in terms of|depends on|told)"
        r"(?:\s+(?:uh|um|uhm|er|erm))*$"
    ),
}
# A speaker's search for a word, between two parts of a sentence with no question mark ("that singer, what's
# his name, Willie Nelson", "dans son, comment ça s'appelle …"), asks nobody.
_SEARCHING: dict[str, re.Pattern[str]] = {
    "fr": re.compile(r"(?:comment (?:ça|ca) s'appel\w*|comment (?:on|vous) (?:dit|dites)|c'est quoi (?:déjà|deja))$"),
    "en": re.compile(
        r"(?:what's|what is|what was) (?:it|that|the word|the name|his name|her name|their name|it called|"
        r"that called|they called|the (?:other|right) (?:one|word))$|what else$|"
        r"what (?:do|did) (?:you|they|we) call (?:it|that|them|those)$"
    ),
}
# Hedges a speaker puts between a verb and what it embeds ("based on, you know, how much…"): not the clause
# the embedded one depends on.
_HEDGE: dict[str, re.Pattern[str]] = {
    "fr": re.compile(r"^(?:tu vois|tu sais|vous savez|genre|euh|heu|enfin|quoi|hum|bah)(?:\s+(?:euh|heu|quoi))*$"),
    "en": re.compile(r"^(?:you know|i mean|you see|like|uh|um|uhm|er|oh|well)(?:\s+(?:uh|um|like|you know))*$"),
}
# After a comma, "is that she was…", "was that people…": the verb of a statement whose subject came first
# ("the reason …, is that she was"), not a question about "that".
_COPULA: dict[str, re.Pattern[str]] = {
    "en": re.compile(r"(?:is|was) that (?:she|he|they|we|i|you|people|there|it's|some|uh|um|most|all)\b"),
}
_NARRATING: dict[str, re.Pattern[str]] = {
    "fr": re.compile(r"\b[^\W\d_]{2,}(?<!f)(?<!r)(?<!tr)(?<!pl)(?:ait|aient)\b"),
}
# "does anyone have…" inside a sentence ("I have plenty sheep does anyone have clay") asks as much as at
# its start: an auxiliary, then someone, then a verb, in that order, never opens a statement.
_INSIDE: dict[str, re.Pattern[str]] = {
    "en": re.compile(
        r"\b(?:does|do|did|has|would|could|can|will)\s+(?:anyone|anybody|any1|any one|someone|somebody)\s+"
        r"(?:have|has|got|want|wanna|need|know|knows|fancy|spare|give|trade|offer|help)\b"
    ),
    # "ich frage mich, ob jemand…": the comma cuts the clause the opener table reads.
    "de": re.compile(r"\bich frage mich,\s*" + _DE_OTHERS),
}
# A clause after a comma that opens with one of these is a relative or a subordinate clause ("…, qui est
# très dure", "…, which is why", "…, wie das geht"), unless only greetings and fillers came before it.
_RELATIVE: dict[str, re.Pattern[str]] = {
    "fr": re.compile(r"(?:qui|où|ou|quand|que|qu')(?:\W|$)"),
    "en": re.compile(r"(?:who|who's|whos|which)\b"),
    "es": re.compile(r"(?:que|quien|quienes|donde|cuando|como|cual)\b"),
    "de": re.compile(
        r"(?:wie|warum|wieso|weshalb|was|wer|wo|wann|woher|wohin|womit|wozu|welche|welcher|welches|welchen|"
        r"welchem|ob)\b"
    ),
    "it": re.compile(r"(?:che|chi|dove|quando|come|cui|quale|quali)\b"),
    "pt": re.compile(r"(?:que|quem|onde|quando|como|qual|quais)\b"),
}
_FILLER_ONLY: dict[str, re.Pattern[str]] = {
    lang: re.compile(r"^(?:(?:" + fillers + r"|[^\W\d_]+ (?:all|everyone|team))(?:\s+|$))+$")
    for lang, fillers in _FILLERS.items()
}
_SENTENCES = re.compile(r"[^.!?？\n…]+(?:[.!?？\n…]|[^\S\n])*")
# The pre-check's pieces (it runs on every message): any language's opener, matched at a clause's first
# letter; clauses are found by searching forward for letters and `_CLAUSES` separators, each character
# scanned a bounded number of times. (One regex searching for "separator, non-letters, opener" cost
# 20 s on 2,000 dots, and a backtracking-free version of it 5 us on ordinary chat.)
_OPENER = re.compile("|".join(p for patterns in _OPENERS.values() for p in patterns))
_FILLER = re.compile(r"(?:" + "|".join(_FILLERS.values()) + r")\s+")
_LANG_FILLER = {lang: re.compile(r"(?:" + fillers + r")\s+") for lang, fillers in _FILLERS.items()}
_LETTER = re.compile(r"[^\W\d_]")
_FIRST_WORD = re.compile(r"[^\W\d_]*")


def _heads(pattern: str) -> set[str]:
    """The literal text every match of `pattern` can start with, one string per alternative ("" when an
    alternative starts with a character class). Reads the subset of the syntax the tables use at their
    start: literals, `(?:...|...)` groups with an optional quantifier, lookarounds; stops at anything else."""
    heads: set[str] = set()
    literal = ""
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("(?", i) and pattern[i + 2] in ":=!<":
            close = _closing(pattern, i)
            after = close + 1
            optional = after < len(pattern) and pattern[after] in "?*{"
            while after < len(pattern) and pattern[after] in "?*+{":
                after = pattern.index("}", after) + 1 if pattern[after] == "{" else after + 1
            rest = pattern[after:]
            if pattern[i + 2] != ":":  # a lookaround consumes nothing
                return {literal + head for head in _heads(rest)}
            for branch in _branches(pattern[i + 3 : close]):
                heads |= {literal + head for head in _heads(branch + rest)}
            if optional:
                heads |= {literal + head for head in _heads(rest)}
            return heads
        if pattern.startswith("\\s", i):  # the space after a filler
            return {literal + " "}
        if pattern.startswith("\\b", i) or char == "$":  # the end of a word
            return {literal + _WORD_END}
        if char in "\\[.^$()|" or (i + 1 < len(pattern) and pattern[i + 1] in "?*{"):
            return {literal}
        literal += char
        i += 1
    return {literal}


def _closing(pattern: str, opening: int) -> int:
    """The index of the parenthesis closing the group opened at `opening`."""
    depth, i = 0, opening
    while True:
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = pattern.index("]", i + 1) + 1
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return i
        i += 1


def _branches(inner: str) -> list[str]:
    """The top-level alternatives of a group's content."""
    branches, depth, start, i = [], 0, 0, 0
    while i < len(inner):
        char = inner[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = inner.index("]", i + 1) + 1
            continue
        if char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            branches.append(inner[start:i])
            start = i + 1
        i += 1
    return [*branches, inner[start:]]


# The pre-check's gate: a clause can only open with an opener (or a filler) when its first word is one an
# alternative starts with, begins with one an alternative starts with but may extend ("quel" → "quelles"),
# or is hyphenated ("peut-on", "auriez-vous": the alternatives that start with a character class). Most
# clauses fail here, before the long `_OPENER` alternation is tried.
_WORD_END = "\x00"


def _first_words(patterns: list[str]) -> tuple[dict[str, list[str]], dict[str, list[str]], list[str]]:
    """Where each pattern can start: {first word: patterns}, {first-word prefix: patterns} (the word may go on,
    "quel" → "quelles") and the patterns that start with a character class ("peut-on", "auriez-vous": hyphenated)."""
    words: dict[str, list[str]] = {}
    prefixes: dict[str, list[str]] = {}
    hyphened: list[str] = []
    for pattern in patterns:
        for head in _heads("(?:" + pattern + ")"):
            word = _FIRST_WORD.match(head)
            if word is None or not word.group():
                if head != "¿":  # a text with "¿" skips the pre-check's clause reading
                    hyphened.append(pattern)
                continue
            where = words if word.end() < len(head) else prefixes
            if pattern not in where.setdefault(word.group(), []):
                where[word.group()].append(pattern)
    return words, prefixes, hyphened


_BY_WORD, _BY_PREFIX, _HYPHENED_OPENERS = _first_words([p for patterns in _OPENERS.values() for p in patterns])
_OPENER_PREFIXES = tuple(sorted(_BY_PREFIX))
_SINGLE_FILLERS = frozenset(
    filler for fillers in _FILLERS.values() for filler in fillers.split("|") if _FIRST_WORD.fullmatch(filler)
)
_FILLER_WORDS = frozenset(
    word.group()
    for fillers in _FILLERS.values()
    for filler in fillers.split("|")
    if (word := _FIRST_WORD.match(filler)) is not None
)
_SPACES = re.compile(r"\s+")
_OPENERS_FOR: dict[tuple[str, bool], re.Pattern[str] | None] = {}


def _openers_for(word: str, hyphened: bool) -> re.Pattern[str] | None:
    """The alternatives of `_OPENER` that can start with `word` (compiled once, on first use), or None."""
    key = (word, hyphened)
    if key not in _OPENERS_FOR:
        patterns = list(_BY_WORD.get(word, ()))
        patterns += [p for prefix in _OPENER_PREFIXES if word.startswith(prefix) for p in _BY_PREFIX[prefix]]
        patterns += _HYPHENED_OPENERS if hyphened else []
        if len(_OPENERS_FOR) >= 4096:  # bounded: hostile text can bring any number of new words
            _OPENERS_FOR.clear()
        _OPENERS_FOR[key] = re.compile("|".join(dict.fromkeys(patterns))) if patterns else None
    return _OPENERS_FOR[key]


_THANKS = re.compile(
    r"\b(?:merci|thanks|thank you|thx|ty|tysm|cheers|gracias|danke|dankeschön|vielen dank|grazie|obrigad[oa]|"
    r"valeu|merci beaucoup|many thanks)\b",
    re.IGNORECASE,
)


_THANKS_STEMS = ("merci", "thank", "thx", "ty", "cheers", "gracias", "dank", "grazie", "obrigad", "valeu")


# The detector reads at most this much of a message: its start and its end, where a question is asked (a
# pasted log or a 50 KB wall of text costs the same as a long message, whatever it holds).
_HEAD, _TAIL = 3_000, 1_000


def _bounded(text: str) -> str:
    """The text, or its first `_HEAD` and last `_TAIL` characters with a line break between them."""
    return text if len(text) <= _HEAD + _TAIL else text[:_HEAD] + "\n…\n" + text[-_TAIL:]


def _fold(text: str) -> str:
    """Lower-cased, with typographic apostrophes made straight (the tables are written with `'`)."""
    return text.lower().replace("’", "'")


def _clean(text: str) -> str:
    """The text without quoted lines, code, links, custom emoji, emoticons and spelling doubts, folded and
    trimmed."""
    text = _QUOTE_LINE.sub(" ", text)
    return _fold(_NOISE.sub(" ", text).strip())


def _own(cleaned: str) -> str:
    """The cleaned text without what it quotes in quotation marks."""
    return _QUOTED.sub(" ", cleaned).strip() if any(mark in cleaned for mark in '«“„"') else cleaned


def _clauses(cleaned: str) -> list[str]:
    """Clauses of the text, each stripped of leading punctuation and spaces."""
    parts = (_LEADING.sub("", part.strip()) for part in _CLAUSES.split(cleaned))
    return [part for part in parts if part]


def is_excluded(text: str) -> bool:
    """Commands and messages that only quote another message are never questions."""
    stripped = text.lstrip()
    return stripped.startswith("/") or not _QUOTE_LINE.sub("", text).strip()


def is_candidate(text: str) -> bool:
    """The cheap, language-free pre-check of whether this message could be a question at all."""
    if "?" not in text and "？" not in text and "¿" not in text:
        lowered = _fold(_bounded(text))
        return _opens_a_clause(lowered) or (
            any(word in lowered for word in _SOMEONE) and any(p.search(lowered) for p in _INSIDE.values())
        )
    return not is_excluded(text)


def _opens_a_clause(lowered: str) -> bool:
    """True when one of the text's clauses starts with an opener of any language.

    A clause starts at the first letter of the text or the first letter after a `_CLAUSES` separator,
    as `_clauses` reads it (leading non-letters stripped); an opener may run past the clause's end here,
    so this is never narrower than matching clause by clause, only sometimes wider."""
    position = 0
    while (letter := _LETTER.search(lowered, position)) is not None:
        start = letter.start()
        if _opens_at(lowered, start):
            return True
        separator = _CLAUSES.search(lowered, start)
        if separator is None:
            return False
        position = separator.end()
    return False


def _opens_at(lowered: str, start: int) -> bool:
    """An opener at `start`, after at most three fillers, as the tables read a clause's start. Only the
    alternatives that can start with the clause's first word are tried (`_openers_for`)."""
    for _ in range(4):
        first = _FIRST_WORD.match(lowered, start)
        if first is None:
            return False
        word = first.group()
        if word in _BY_WORD or word.startswith(_OPENER_PREFIXES) or lowered.startswith("-", first.end()):
            openers = _openers_for(word, lowered.startswith("-", first.end()))
            if openers is not None and openers.match(lowered, start):
                return True
        if word not in _FILLER_WORDS:
            return False
        if word in _SINGLE_FILLERS and (space := _SPACES.match(lowered, first.end())) is not None:
            start = space.end()
            continue
        filler = _FILLER.match(lowered, start)
        if filler is None:
            return False
        start = filler.end()
    return False


def _squeeze(words: list[str]) -> str:
    return _SQUEEZE.sub(r"\1", " ".join(words))


def _is_reaction(cleaned: str) -> bool:
    """`ok?`, `what?`, `vraiment ?`, `really??`, `whaaat?`, `oh, do they?`: a formulaic reaction or an echo,
    or no word at all."""
    words = _WORD.findall(cleaned)
    if not words:
        return True
    said = " ".join(words)
    squeezed = _squeeze(words)
    return (
        said in _REACTIONS
        or squeezed in _REACTIONS
        or (len(words) == 1 and len(said) < 2)
        or (len(words) <= 6 and _ECHO.match(squeezed) is not None)
    )


def _asks(sentence: str, language: str) -> bool:
    """A sentence ending with a question mark asks something unless it is a reaction, a shrug or a tag."""
    if not _TRAILING.search(sentence) or _is_reaction(sentence):
        return False
    shrugs = _TRAILING_SHRUG.get(language)
    shrug = shrugs.search(sentence) if shrugs is not None else None
    if shrug is None:
        return True
    return _opens_somewhere(sentence[: shrug.start()], language)


def _opens(clause: str, language: str) -> bool:
    """The clause opens with one of the language's interrogative forms, and not with a set phrase."""
    table = _TABLES[language]
    if not table.match(clause):
        return False
    phrases = _SET_TABLES.get(language)
    return phrases is None or not phrases.match(clause)


def _opens_somewhere(sentence: str, language: str, marked: bool = True) -> bool:
    """One of the sentence's clauses opens with an interrogative form of `language` (every table when the
    language has none): the first clause, or a later one that does not read as a relative clause. In a
    sentence with no question mark (`marked` false) a later clause must not read as embedded either."""
    languages = [language] if language in _TABLES else list(_TABLES)
    for lang in languages:
        initial = True
        before = ""
        narrated = False  # an earlier clause of the sentence told a story in the imperfect
        narrating = _NARRATING.get(lang)
        for clause in _clauses(sentence):
            if _opens(clause, lang) and (
                initial
                or (
                    not _RELATIVE[lang].match(_after_fillers(clause, lang))
                    and (marked or not _embedded(before, clause, lang, narrated))
                )
            ):
                return True
            if not marked and narrating is not None and not narrated:
                narrated = narrating.search(clause) is not None
            filler = _FILLER_ONLY[lang].match(clause) is not None
            initial = initial and filler
            hedge = _HEDGE.get(lang)
            if not filler and (hedge is None or not hedge.match(clause)):
                before = clause
    return False


def _embedded(before: str, clause: str, language: str, narrated: bool) -> bool:
    """The clause, in a sentence with no question mark, is the complement of the clause `before` it (the
    last one that was not only fillers), or goes on in the French imperfect with a story an earlier clause
    told in the imperfect ("c'était cool, …, comment ça se passait"; "avant la mise à jour, comment ça se
    passait" still asks)."""
    embedding = _EMBEDDING.get(language)
    if embedding is not None and embedding.search(before[-120:]):  # its last words are all it reads
        return True
    searching = _SEARCHING.get(language)
    if searching is not None and searching.match(_after_fillers(clause, language)):
        return True
    copula = _COPULA.get(language)
    if copula is not None and copula.match(_after_fillers(clause, language)):
        return True
    narrating = _NARRATING.get(language)
    return narrated and narrating is not None and narrating.search(clause) is not None


def _after_fillers(clause: str, language: str) -> str:
    """The clause without its leading greetings and fillers ("et qui est…" → "qui est…")."""
    for _ in range(3):
        filler = _LANG_FILLER[language].match(clause)
        if filler is None:
            break
        clause = clause[filler.end() :]
    return clause


def _titles(text: str, language: str) -> set[str]:
    """The sentences of the (unfolded) text that end with a question mark only because they name a title or
    a topic: an interrogative form written with a capital in the middle of a statement ("il prépare
    l'ouvrage Comment monter votre pièce ?", "sur le sujet : Quelle a été… ?"). Folded, as `_own_sentences`
    gives them. The word before the capital must introduce a title ("dans", "l'ouvrage"), or the words before
    the colon name a topic ("la question suivante est", "sur le sujet"), so that a run-on chat message stays
    a question ("le bot répond plus Quelqu'un sait ?", "le serveur plante : Quelqu'un sait ?"); and they must
    not be the poster's (a pronoun of the first or second person) nor a greeting or filler ("salut Comment
    faire ?", "Question : Comment…?")."""
    person = _PERSON.get(language)
    naming = _NAMING.get(language)
    if person is None or naming is None or language not in _TABLES:
        return set()
    titles = set()
    for match in _SENTENCES.finditer(_own(text)):
        sentence = match.group().strip()
        if not _TRAILING.search(sentence):
            continue
        for count, title in enumerate(_TITLE.finditer(sentence)):
            if count >= 8:  # a handful of capitals per sentence is all a title needs; bounded
                break
            before = _fold(sentence[: title.start()])
            words = _LETTERS.findall(before)
            if (
                len(words) >= 2
                and words[-1] in (naming[1] if before.rstrip().endswith(":") else naming[0])
                and not person.intersection(words)
                and _LANG_FILLER[language].match(before) is None
                and _TABLES[language].match(_fold(sentence[title.end() :]))
            ):
                titles.add(_fold(sentence))
                break
    return titles


def _own_sentences(cleaned: str, language: str) -> list[str]:
    """The sentences of the text as the poster's own words: quotations removed, and a sentence that reports
    speech ("je lui ai dit tu viens ?") cut before its speech verb."""
    reported = _REPORTED.get(language)
    sentences: list[str] = []
    for match in _SENTENCES.finditer(_own(cleaned)):
        sentence = match.group().strip()
        if reported is not None and (said := reported.search(sentence)) is not None:
            # Direct speech follows its verb at once, after a comma, a colon or a quotation mark, or as a
            # question form ("il m'a dit qu'est-ce que…"); "he said he would come, is it on?" still asks.
            # In English the "that" of indirect speech is often left out, so only those forms count there;
            # French reports the words themselves ("il me dit mais pourquoi tu souris ?").
            words = sentence[said.end() :].lstrip()
            if (
                language != "en"
                or words[:1] in (",", ":", "«", '"', "“")
                or _TABLES[language].match(words)
                or _LANG_FILLER[language].match(words)
            ):
                sentence = sentence[: said.start()].strip()
        if sentence:
            postposed = _POSTPOSED.get(language)
            if postposed is not None and sentences and postposed.match(_LEADING.sub("", sentence)):
                sentences.pop()  # the question before it was someone else's ("…? se demande Le Progrès")
                continue  # and the speech verb's own inversion ("demanda-t-il") asks nothing
            sentences.append(sentence)
    return sentences


def is_question(text: str, language: str) -> bool:
    """True when the message asks something, read with the table of `language` (a code such as 'fr').

    An unknown language is read with every table except the openers that are ambiguous across
    languages; pass the community's locale for short texts instead."""
    if is_excluded(text):
        return False
    cleaned = _clean(_bounded(text))
    if not cleaned or _is_reaction(cleaned):
        return False
    sentences = _own_sentences(cleaned, language)
    if any("¿" in sentence for sentence in sentences):
        return True
    if titles := _titles(_NOISE.sub(" ", _QUOTE_LINE.sub(" ", _bounded(text))).strip(), language):
        sentences = [sentence for sentence in sentences if sentence not in titles]
    if any(_asks(sentence, language) for sentence in sentences):
        return True
    if language not in _TABLES or _EXCLAIMED.search(cleaned):
        return False
    inside = _INSIDE.get(language)
    shrugs = _TRAILING_SHRUG.get(language)
    return any(
        # Without a question mark, a closing "…, you know" / "…, tu vois" marks the words as rhetorical.
        (shrugs is None or not shrugs.search(sentence))
        and (_opens_somewhere(sentence, language, marked=False) or (inside is not None and inside.search(sentence)))
        for sentence in sentences
    )


def opener_language(text: str, detected: str) -> str:
    """`detected`, unless only another language's interrogative openers fit the text.

    Statistical detection is shaky on short technical questions ("How do I export to CSV?" can come
    out Portuguese); the opener tables are a cheap second opinion."""
    clauses = _clauses(_clean(_bounded(text)))
    if detected in _TABLES and any(_opens(clause, detected) for clause in clauses):
        return detected
    for language in _TABLES:
        if any(_opens(clause, language) for clause in clauses):
            return language
    return detected


def is_thanks(text: str) -> bool:
    """A thanks message ("merci !", "thanks a lot", "danke dir") in any of the six languages."""
    lowered = text.lower()
    # Substrings first: most messages contain none, and this is much cheaper than the regex.
    return any(stem in lowered for stem in _THANKS_STEMS) and bool(_THANKS.search(text))


# The excerpt is stored and repeated inside the bot's own nudges: a lone surrogate (crafted JSON, text
# decoded leniently upstream) cannot be encoded for SQLite, a control character (NUL...) would cut or
# garble it, and a bidirectional override would reorder the rest of the bot's line (its link included).
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def excerpt(text: str, limit: int = 140) -> str:
    """A short one-line excerpt of the message, cut on a word boundary with an ellipsis; safe to store and
    to repeat (no lone surrogate, control character or bidirectional override)."""
    unquoted = _QUOTE_LINE.sub(" ", text)
    flat = " ".join(_BIDI.sub("", _CONTROL.sub(" ", _SURROGATE.sub("\ufffd", unquoted))).split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"
