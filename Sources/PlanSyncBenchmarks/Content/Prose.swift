/// Plausible plan prose in English, French, Spanish and Arabic, cut to a byte length: generated text that
/// compresses like real text (a few hundred distinct words), not like random bytes or repeated filler.
struct Prose: Sendable {
    let words: [String]

    /// Text of about `bytes` UTF-8 bytes (never more), ending on a whole word and a full stop.
    func text(bytes: Int, using random: inout SplitMix64) -> String {
        var text = ""
        var sentenceLength = 0
        while true {
            var word = words.randomElement(using: &random)!
            if sentenceLength == 0 { word = word.prefix(1).uppercased() + word.dropFirst() }
            let separator = text.isEmpty ? "" : " "
            guard text.utf8.count + separator.utf8.count + word.utf8.count + 1 <= bytes else { break }
            text += separator + word
            sentenceLength += 1
            if sentenceLength >= 8, Int.random(in: 0..<6, using: &random) == 0 {
                text += "."
                sentenceLength = 0
            }
        }
        return text.hasSuffix(".") ? text : text + "."
    }

    /// Text between `range.lowerBound` and `range.upperBound` bytes.
    func text(between range: ClosedRange<Int>, using random: inout SplitMix64) -> String {
        text(bytes: Int.random(in: range, using: &random), using: &random)
    }

    static let english = Prose(
        words: """
            the protection of affected people and of their rights guides every activity in the response plan country
            teams humanitarian coordinators clusters agencies partners report progress on commitments accountability
            to populations and the prevention of sexual exploitation and abuse with community feedback mechanisms
            focal points in each field office review referral pathways for survivors translate key messages train
            staff on codes of conduct share analysis of risks with authorities donors and local organisations ensure
            that women girls older persons and persons with disabilities are consulted before decisions monitor
            indicators quarterly update the workplan after each mission and publish findings in Arabic French
            Spanish complaints are handled confidentially within thirty days and lessons learned inform the next
            cycle of planning budgeting and coordination across sectors including shelter health education food
            security water sanitation camp management logistics early recovery and mine action in line with the
            policy
            """.split(whereSeparator: \.isWhitespace).map(String.init))

    static let french = Prose(
        words: """
            la protection des personnes affectées et de leurs droits guide chaque activité du plan de réponse les
            équipes de pays coordonnateurs humanitaires groupes sectoriels agences partenaires rendent compte des
            progrès sur les engagements redevabilité envers les populations prévention de l'exploitation et des abus
            sexuels mécanismes de retour d'information communautaire points focaux bureau de terrain examinent les
            voies de référencement pour les survivantes traduisent messages clés forment le personnel au code de
            conduite partagent analyse des risques avec autorités bailleurs organisations locales veillent à ce que
            femmes filles personnes âgées handicapées soient consultées avant décisions suivent indicateurs chaque
            trimestre mettent à jour plan de travail après chaque mission publient résultats
            """.split(whereSeparator: \.isWhitespace).map(String.init))

    static let spanish = Prose(
        words: """
            la protección de las personas afectadas y de sus derechos orienta cada actividad del plan de respuesta
            los equipos de país coordinadores humanitarios grupos temáticos agencias socios informan sobre avances
            en compromisos rendición de cuentas a las poblaciones prevención de la explotación y el abuso sexual
            mecanismos de retroalimentación comunitaria puntos focales oficina de terreno revisan rutas de remisión
            para sobrevivientes traducen mensajes clave capacitan al personal en el código de conducta comparten
            análisis de riesgos con autoridades donantes organizaciones locales aseguran que mujeres niñas personas
            mayores con discapacidad sean consultadas antes de decidir supervisan indicadores cada trimestre
            """.split(whereSeparator: \.isWhitespace).map(String.init))

    static let arabic = Prose(
        words: """
            حماية السكان المتضررين وحقوقهم توجه كل نشاط في خطة الاستجابة الأفرقة القطرية منسقو الشؤون الإنسانية
            المجموعات القطاعية الوكالات الشركاء يقدمون تقارير عن التقدم في الالتزامات المساءلة أمام السكان منع
            الاستغلال والانتهاك الجنسيين آليات التغذية الراجعة المجتمعية جهات الاتصال في كل مكتب ميداني تراجع مسارات
            الإحالة للناجيات تترجم الرسائل الرئيسية تدرب الموظفين على مدونة السلوك تشارك تحليل المخاطر مع السلطات
            والمانحين والمنظمات المحلية تضمن استشارة النساء والفتيات وكبار السن والأشخاص ذوي الإعاقة قبل اتخاذ
            القرارات ترصد المؤشرات كل ثلاثة أشهر وتحدث خطة العمل بعد كل بعثة
            """.split(whereSeparator: \.isWhitespace).map(String.init))

    /// The prose of a translation language.
    static func of(language: String) -> Prose {
        switch language {
        case "fr": french
        case "es": spanish
        case "ar": arabic
        default: english
        }
    }
}
