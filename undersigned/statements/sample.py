"""The sample statement loaded on a fresh install. Neutral content written for undersigned."""

SLUG = "evening-libraries"

TEXTS = {
    "en": (
        "Joint statement: public libraries open in the evening",
        """We, the undersigned organizations and individuals, ask the city councils in our region
to keep public libraries open until 21:00 on weekdays.

Libraries are one of the few places where anyone can read, study and meet without paying.
Many people who work during the day can only visit them in the evening.

We ask for:

1. opening hours until 21:00 from Monday to Friday;
2. staff and budgets that match the longer hours;
3. a public review of visitor numbers after one year.

*This is sample content, created with undersigned to show how a statement looks.*
""",
    ),
    "ar": (
        "بيان مشترك: مكتبات عامة مفتوحة في المساء",
        """نحن، المنظمات والأفراد الموقعين أدناه، نطلب من المجالس البلدية في منطقتنا إبقاء
المكتبات العامة مفتوحة حتى الساعة 21:00 في أيام الأسبوع.

المكتبات من الأماكن القليلة التي يستطيع فيها أي شخص أن يقرأ ويدرس ويلتقي بالآخرين دون أن يدفع
شيئاً. كثير من الذين يعملون في النهار لا يستطيعون زيارتها إلا في المساء.

نطالب بما يلي:

1. ساعات عمل حتى الساعة 21:00 من الاثنين إلى الجمعة؛
2. موظفون وميزانيات تتناسب مع الساعات الأطول؛
3. مراجعة علنية لأعداد الزوار بعد سنة واحدة.

*هذا محتوى تجريبي أُنشئ باستخدام undersigned لعرض شكل البيان.*
""",
    ),
    "fr": (
        "Déclaration commune : des bibliothèques publiques ouvertes le soir",
        """Nous, organisations et personnes soussignées, demandons aux conseils municipaux de notre
région de garder les bibliothèques publiques ouvertes jusqu'à 21 h en semaine.

Les bibliothèques sont l'un des rares lieux où chacun peut lire, étudier et se retrouver sans
payer. Beaucoup de personnes qui travaillent dans la journée ne peuvent s'y rendre que le soir.

Nous demandons :

1. des horaires d'ouverture jusqu'à 21 h du lundi au vendredi ;
2. du personnel et des budgets à la mesure de ces horaires ;
3. un bilan public de la fréquentation après un an.

*Ceci est un contenu d'exemple, créé avec undersigned pour montrer à quoi ressemble une
déclaration.*
""",
    ),
    "es": (
        "Declaración conjunta: bibliotecas públicas abiertas por la tarde",
        """Las organizaciones y personas abajo firmantes pedimos a los ayuntamientos de nuestra
región que mantengan abiertas las bibliotecas públicas hasta las 21:00 entre semana.

Las bibliotecas son uno de los pocos lugares donde cualquiera puede leer, estudiar y encontrarse
sin pagar. Muchas personas que trabajan durante el día solo pueden visitarlas por la tarde.

Pedimos:

1. horario de apertura hasta las 21:00 de lunes a viernes;
2. personal y presupuesto acordes con el horario ampliado;
3. una revisión pública del número de visitantes al cabo de un año.

*Este es un contenido de ejemplo, creado con undersigned para mostrar cómo se ve una
declaración.*
""",
    ),
}
