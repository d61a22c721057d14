// The studies from the command line: `sae-split --json` (each width's links, cosines in [0, 1], parents that exist and
// are alive, the splits), its bad options (exit 2, one line), the sweep JSON naming its recipe, and `render --panel
// features --figure` for the sweep, feature-splitting and ground-truth figures (a 1280 x 720 PNG that is not blank).
#include "app/CliRun.h"

#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <set>

namespace {

const QStringList kSmall{QStringLiteral("--steps"), QStringLiteral("400"), QStringLiteral("--d-sae"), QStringLiteral("8"),
                         QStringLiteral("--features"), QStringLiteral("32"), QStringLiteral("--d"), QStringLiteral("16"),
                         QStringLiteral("--eval"), QStringLiteral("2048")};

} // namespace

class TestCliSaeStudies : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (qEnvironmentVariable("FEATURESCOPE_BINARY").isEmpty())
            QSKIP("FEATURESCOPE_BINARY is not set (run through ctest)");
    }

    void splitJsonLinksWidths()
    {
        const CliRun run = CliRun::run(QStringList{QStringLiteral("sae-split"), QStringLiteral("--widths"),
                                                   QStringLiteral("1,2,4"), QStringLiteral("--json")} + kSmall);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject out = QJsonDocument::fromJson(run.out).object();
        const QJsonArray widths = out.value(QStringLiteral("widths")).toArray();
        QCOMPARE(widths.size(), 3);
        int previousLatents = 0;
        for (int w = 0; w < widths.size(); ++w) {
            const QJsonObject width = widths[w].toObject();
            QCOMPARE(width.value(QStringLiteral("d_sae")).toInt(), 8 << w);
            QVERIFY(width.contains(QStringLiteral("mmcs"))); // synthetic: ground truth known
            if (w == 0) {
                QVERIFY(!width.contains(QStringLiteral("links")));
                previousLatents = 8;
                continue;
            }
            const QJsonArray links = width.value(QStringLiteral("links")).toArray();
            QVERIFY(links.size() > 0 && links.size() <= width.value(QStringLiteral("alive")).toInt());
            std::set<int> children;
            for (const auto& l : links) {
                const QJsonObject link = l.toObject();
                const double cosine = link.value(QStringLiteral("cosine")).toDouble();
                QVERIFY2(cosine >= 0.0 && cosine <= 1.0, qPrintable(QString::number(cosine)));
                const int parent = link.value(QStringLiteral("parent")).toInt(-1);
                QVERIFY(parent >= 0 && parent < previousLatents);
                QVERIFY(children.insert(link.value(QStringLiteral("child")).toInt()).second); // one parent per child
            }
            for (const auto& s : width.value(QStringLiteral("splits")).toArray())
                QVERIFY(s.toObject().value(QStringLiteral("children")).toArray().size() >= 2);
            previousLatents = width.value(QStringLiteral("d_sae")).toInt();
        }
        const int root = out.value(QStringLiteral("most_split_root")).toInt(-1);
        QVERIFY(root >= 0 && root < 8);
        // The summary says the same in words.
        const CliRun text = CliRun::run(QStringList{QStringLiteral("sae-split"), QStringLiteral("--widths"), QStringLiteral("1,2")} + kSmall);
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.contains("2x  d_sae 16"), text.out.constData());
    }

    void badSplitsAreOneLine_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::newRow("not increasing") << QStringList{QStringLiteral("--widths"), QStringLiteral("1,4,2")};
        QTest::newRow("not from 1") << QStringList{QStringLiteral("--widths"), QStringLiteral("2,4")};
        QTest::newRow("fraction") << QStringList{QStringLiteral("--widths"), QStringLiteral("1,2.5")};
        QTest::newRow("writes files") << QStringList{QStringLiteral("--save"), QStringLiteral("/tmp/x")};
    }
    void badSplitsAreOneLine()
    {
        QFETCH(QStringList, arguments);
        const CliRun run = CliRun::run(QStringList{QStringLiteral("sae-split")} + arguments + kSmall);
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.err.trimmed().count('\n'), 0);
        QVERIFY(run.out.isEmpty());
    }

    void sweepJsonNamesItsRecipe()
    {
        const CliRun run = CliRun::run({QStringLiteral("sae-sweep"), QStringLiteral("--variant"), QStringLiteral("topk"),
                                        QStringLiteral("--k"), QStringLiteral("2,4"), QStringLiteral("--seeds"),
                                        QStringLiteral("1"), QStringLiteral("--steps"), QStringLiteral("200"),
                                        QStringLiteral("--d-sae"), QStringLiteral("64"), QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject out = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(out.value(QStringLiteral("parameter")).toString(), QStringLiteral("k"));
        QCOMPARE(out.value(QStringLiteral("points")).toArray().size(), 2);
        QVERIFY(run.err.contains("run 2 of 2"));
    }

    void rendersEachStudyFigure_data()
    {
        QTest::addColumn<QString>("figure");
        for (const char* figure : {"ground-truth", "feature-splitting", "sweep"})
            QTest::newRow(figure) << QString::fromLatin1(figure);
    }
    void rendersEachStudyFigure()
    {
        QFETCH(QString, figure);
        QTemporaryDir dir;
        const QString out = dir.filePath(figure + QStringLiteral(".png"));
        const CliRun run = CliRun::run({QStringLiteral("render"), QStringLiteral("--panel"), QStringLiteral("features"),
                                        QStringLiteral("--figure"), figure, QStringLiteral("--out"), out},
                                       300000);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QImage image(out);
        QCOMPARE(image.size(), QSize(1280, 720));
        // Drawn, not blank: many distinct colours (data, text, colour scales).
        std::set<QRgb> colours;
        for (int y = 0; y < image.height(); y += 3)
            for (int x = 0; x < image.width(); x += 3)
                colours.insert(image.pixel(x, y));
        QVERIFY2(colours.size() > 50, qPrintable(QString::number(colours.size())));
    }
};

QTEST_GUILESS_MAIN(TestCliSaeStudies)
#include "tst_cli_sae_studies.moc"
