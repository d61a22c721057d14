// The toy-model commands `tms`, `sweep` and `phase` as a user runs them: the --help text states the defaults each
// command really uses (it once listed the single-model defaults and an option `sweep` rejects), and their JSON and
// the scale lab's spell the toy config one way.
#include "app/CliRun.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
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
        QCOMPARE(statedDefault(phase.out, QStringLiteral("restarts")), QStringLiteral("2"));
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
