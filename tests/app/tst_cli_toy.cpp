// The toy-model commands `tms`, `sweep` and `phase` as a user runs them: the --help text states the defaults each
// command really uses (it once listed the single-model defaults and an option `sweep` rejects), and their JSON and
// the scale lab's spell the toy config one way.
#include "app/CliRun.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

namespace {

QJsonObject runJson(const QStringList& arguments)
{
    const CliRun run = CliRun::run(arguments + QStringList{QStringLiteral("--json")});
    if (run.exitCode != 0)
        qWarning("stderr: %s", run.err.constData());
    return QJsonDocument::fromJson(run.out).object();
}

// The "(default X)" that --help states for `option`, or an empty string.
QString statedDefault(const QByteArray& help, const QString& option)
{
    const QRegularExpression line(QStringLiteral("--%1\\b[^\\n]*\\(default ([^)]*)\\)").arg(option));
    const auto match = line.match(QString::fromUtf8(help));
    return match.hasMatch() ? match.captured(1) : QString();
}

} // namespace

class TestCliToy : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sweepHelpStatesItsOwnDefaults()
    {
        const CliRun help = CliRun::run({QStringLiteral("sweep"), QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        QCOMPARE(statedDefault(help.out, QStringLiteral("n")), QStringLiteral("400"));
        QCOMPARE(statedDefault(help.out, QStringLiteral("m")), QStringLiteral("30"));
        QCOMPARE(statedDefault(help.out, QStringLiteral("instances")), QStringLiteral("40"));
        QCOMPARE(statedDefault(help.out, QStringLiteral("p-min")), QStringLiteral("0.001"));
        QVERIFY2(!help.out.contains("--feature-probability"), help.out.constData());

        // What the help says is what runs.
        const QJsonObject out = runJson({QStringLiteral("sweep"), QStringLiteral("--steps"), QStringLiteral("3")});
        const QJsonObject config = out.value(QStringLiteral("config")).toObject();
        QCOMPARE(config.value(QStringLiteral("features")).toInt(), 400);
        QCOMPARE(config.value(QStringLiteral("hidden")).toInt(), 30);
        QCOMPARE(config.value(QStringLiteral("instances")).toInt(), 40);
        QCOMPARE(out.value(QStringLiteral("points")).toArray().size(), 40);

        const CliRun rejected = CliRun::run({QStringLiteral("sweep"), QStringLiteral("--feature-probability"),
                                             QStringLiteral("0.1"), QStringLiteral("--steps"), QStringLiteral("3")});
        QCOMPARE(rejected.exitCode, 2);
        QVERIFY2(rejected.err.contains("unknown option --feature-probability"), rejected.err.constData());
    }

    void tmsAndPhaseHelpStateTheirDefaults()
    {
        const CliRun tms = CliRun::run({QStringLiteral("tms"), QStringLiteral("--help")});
        QCOMPARE(statedDefault(tms.out, QStringLiteral("n")), QStringLiteral("5"));
        QCOMPARE(statedDefault(tms.out, QStringLiteral("m")), QStringLiteral("2"));
        QCOMPARE(statedDefault(tms.out, QStringLiteral("steps")), QStringLiteral("10000"));
        QVERIFY(tms.out.contains("--feature-probability"));
        const CliRun phase = CliRun::run({QStringLiteral("phase"), QStringLiteral("--help")});
        QCOMPARE(statedDefault(phase.out, QStringLiteral("steps")), QStringLiteral("4000"));
        QCOMPARE(statedDefault(phase.out, QStringLiteral("restarts")), QStringLiteral("4"));
    }

    // Every option a command's --help lists is accepted, and giving an option its stated default changes nothing:
    // the help text and the parser read the same defaults (sweep's help once listed another command's defaults and
    // an option it rejects).
    void everyListedOptionParses_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QStringList>("base"); // small settings, so that each run takes a moment
        QTest::addColumn<bool>("compareOutput");
        const QStringList quick{QStringLiteral("--steps"), QStringLiteral("2"), QStringLiteral("--batch"),
                                QStringLiteral("8"), QStringLiteral("--threads"), QStringLiteral("1")};
        QTest::newRow("sweep") << QStringLiteral("sweep")
                               << quick + QStringList{QStringLiteral("--n"), QStringLiteral("5"), QStringLiteral("--m"),
                                                      QStringLiteral("2"), QStringLiteral("--instances"),
                                                      QStringLiteral("3")}
                               << true;
        QTest::newRow("phase") << QStringLiteral("phase") << quick + QStringList{QStringLiteral("--grid"), QStringLiteral("2")}
                               << true;
        // tms: --instances and --p-min switch to a sweep, so only parsing is checked.
        QTest::newRow("tms") << QStringLiteral("tms") << quick << false;
    }

    void everyListedOptionParses()
    {
        QFETCH(QString, command);
        QFETCH(QStringList, base);
        QFETCH(bool, compareOutput);
        const CliRun help = CliRun::run({command, QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        const QString text = QString::fromUtf8(help.out);
        const QRegularExpression row(QStringLiteral("^  --([a-z0-9-]+)( VALUE)? +(.*)$"),
                                     QRegularExpression::MultilineOption);
        QStringList listed;
        QTemporaryDir scratch;
        for (auto it = row.globalMatch(text); it.hasNext();) {
            const auto match = it.next();
            const QString option = match.captured(1);
            listed << option;
            if (option == QLatin1String("help") || option == QLatin1String("json"))
                continue;
            const bool takesValue = !match.captured(2).isEmpty();
            const auto ownDefault = QRegularExpression(QStringLiteral("\\(default ([^)]*)\\)")).match(match.captured(3));
            const QString stated = takesValue && ownDefault.hasMatch() ? ownDefault.captured(1) : QString();
            QString value = stated;
            if (takesValue && value.isEmpty()) {
                if (option == QLatin1String("threads"))
                    value = QStringLiteral("1");
                else if (option == QLatin1String("save"))
                    value = scratch.filePath(QStringLiteral("model.safetensors"));
                else
                    QFAIL(qPrintable(QStringLiteral("--%1 states no default and the test has no value for it").arg(option)));
            }
            // The base without this option, so the option's own default applies when it is left out.
            QStringList without = base;
            if (const int at = without.indexOf(QStringLiteral("--") + option); at >= 0)
                without.remove(at, 2);
            QStringList with = without + QStringList{QStringLiteral("--") + option};
            if (takesValue)
                with << value;
            const CliRun run = CliRun::run(QStringList{command} + with + QStringList{QStringLiteral("--json")});
            QVERIFY2(run.exitCode == 0, qPrintable(QStringLiteral("%1 %2: %3").arg(command, with.join(u' '),
                                                                                   QString::fromUtf8(run.err))));
            // An option that implies another (--weight-decay turns AdamW on) changes the run by design.
            if (!compareOutput || stated.isEmpty() || match.captured(3).contains(QLatin1String("implies")))
                continue;
            QJsonObject expected = runJson(QStringList{command} + without);
            QJsonObject got = QJsonDocument::fromJson(run.out).object();
            for (QJsonObject* out : {&expected, &got})
                out->remove(QStringLiteral("seconds"));
            QVERIFY2(got == expected, qPrintable(QStringLiteral("%1 --%2 %3 (its stated default) changed the result")
                                                     .arg(command, option, value)));
        }
        QVERIFY(listed.contains(QStringLiteral("steps")));
        // The usage line above the table names only options of the table.
        const QRegularExpression usageOption(QStringLiteral("--([a-z0-9-]+)"));
        const QString usage = text.section(u'\n', 0, 0);
        QVERIFY(usage.startsWith(QStringLiteral("usage: featurescope ") + command));
        for (auto it = usageOption.globalMatch(usage); it.hasNext();) {
            const QString option = it.next().captured(1);
            QVERIFY2(listed.contains(option), qPrintable(QStringLiteral("usage names --%1, the table does not").arg(option)));
        }
    }

    // One spelling of the toy config: "features", "hidden", "kind" (never "n", "m", "model").
    void toyConfigHasOneSpelling()
    {
        const QJsonObject tms = runJson({QStringLiteral("tms"), QStringLiteral("--n"), QStringLiteral("6"),
                                         QStringLiteral("--m"), QStringLiteral("3"), QStringLiteral("--steps"),
                                         QStringLiteral("5")});
        const QJsonObject config = tms.value(QStringLiteral("config")).toObject();
        QCOMPARE(config.value(QStringLiteral("features")).toInt(), 6);
        QCOMPARE(config.value(QStringLiteral("hidden")).toInt(), 3);
        QCOMPARE(config.value(QStringLiteral("kind")).toString(), QStringLiteral("relu-output"));
        QVERIFY(!config.contains(QStringLiteral("n")) && !config.contains(QStringLiteral("model")));

        const QJsonObject scale = runJson({QStringLiteral("scale"), QStringLiteral("--steps"), QStringLiteral("20"),
                                           QStringLiteral("--scales"), QStringLiteral("0.5,2")});
        const QJsonObject training = scale.value(QStringLiteral("training")).toObject();
        QCOMPARE(training.value(QStringLiteral("features")).toInt(), 5);
        QVERIFY(!training.contains(QStringLiteral("n")));
        const QJsonObject lab = scale.value(QStringLiteral("config")).toObject();
        QCOMPARE(lab.value(QStringLiteral("model")).toString(), QStringLiteral("toy"));
        QCOMPARE(lab.value(QStringLiteral("scales")).toArray(), QJsonArray({0.5, 2.0}));
        QCOMPARE(lab.value(QStringLiteral("steps")).toInt(), 20);
        // The scale lab's ranges are checked by its config, for the command as for a session.
        const CliRun bad = CliRun::run({QStringLiteral("scale"), QStringLiteral("--scales"), QStringLiteral("0.5,0")});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains("scales must lie between 1e-6 and 1e6"), bad.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliToy)
#include "tst_cli_toy.moc"
