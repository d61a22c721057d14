// `featurescope scale`, run as a process: the JSON parses and has the fields per scale; features per dimension goes
// as c²; the tied toy model's loss is lowest at c = 1 and the untied one's is flat; bad arguments exit 2 with one
// line on stderr.
#include "app/CliRun.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

namespace {

CliRun runBinary(const QStringList& arguments)
{
    return CliRun::run(QStringList{QStringLiteral("scale")} + arguments, 120000);
}

QJsonObject runJson(const QStringList& arguments)
{
    const CliRun run = runBinary(arguments + QStringList{QStringLiteral("--json")});
    if (run.exitCode != 0)
        qWarning("stderr: %s", run.err.constData());
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(run.out, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qWarning("not JSON: %s", run.out.left(400).constData());
    return document.object();
}

bool hasFashionMnist()
{
    const QString dir = QStringLiteral("/usr/share/datasets/fashion-mnist/");
    return QFile::exists(dir + QStringLiteral("train-images-idx3-ubyte.gz")) &&
           QFile::exists(dir + QStringLiteral("t10k-images-idx3-ubyte.gz"));
}

} // namespace

class TestCliScale : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void tiedToyJson();
    void untiedToyJson();
    void fashionMlpJson();
    void matrixFromFile();
    void humanSummary();
    void badArguments_data();
    void badArguments();
};

void TestCliScale::tiedToyJson()
{
    const QJsonObject out = runJson({QStringLiteral("--model"), QStringLiteral("toy"), QStringLiteral("--steps"),
                                     QStringLiteral("4000")});
    QCOMPARE(out.value(QStringLiteral("model")).toString(), QStringLiteral("toy"));
    QCOMPARE(out.value(QStringLiteral("kind")).toString(), QStringLiteral("toy-tied"));
    QVERIFY(!out.value(QStringLiteral("scaled_matrix")).toString().isEmpty());
    QVERIFY(!out.value(QStringLiteral("reading")).toString().isEmpty());
    const QJsonArray scales = out.value(QStringLiteral("scales")).toArray();
    QCOMPARE(scales.size(), 5); // the default 0.25,0.5,1,2,4
    QJsonObject one;
    for (const auto& value : scales)
        if (value.toObject().value(QStringLiteral("scale")).toDouble() == 1.0)
            one = value.toObject();
    QVERIFY(!one.isEmpty());
    const double fpd1 = one.value(QStringLiteral("features_per_dimension")).toDouble();
    const double loss1 = one.value(QStringLiteral("loss")).toDouble();
    for (const auto& value : scales) {
        const QJsonObject p = value.toObject();
        for (const char* field : {"scale", "features_per_dimension", "mean_feature_dimensionality", "loss",
                                  "feature_dimensionality", "max_feature_dimensionality_change"})
            QVERIFY2(p.contains(QLatin1String(field)), field);
        QVERIFY(!p.contains(QStringLiteral("accuracy")));
        const double c = p.value(QStringLiteral("scale")).toDouble();
        QVERIFY(std::abs(p.value(QStringLiteral("features_per_dimension")).toDouble() / (c * c * fpd1) - 1.0) < 1e-6);
        QCOMPARE(p.value(QStringLiteral("feature_dimensionality")).toArray().size(), 5);
        if (c != 1.0)
            QVERIFY(p.value(QStringLiteral("loss")).toDouble() > loss1);
    }
    const QJsonObject summary = out.value(QStringLiteral("summary")).toObject();
    QVERIFY(std::abs(summary.value(QStringLiteral("features_per_dimension_slope")).toDouble() - 2.0) < 1e-6);
    QVERIFY(summary.value(QStringLiteral("loss_larger_away_from_c1")).toBool());
}

void TestCliScale::untiedToyJson()
{
    const QJsonObject out = runJson({QStringLiteral("--model"), QStringLiteral("toy-untied"), QStringLiteral("--scales"),
                                     QStringLiteral("0.1,1,10"), QStringLiteral("--steps"), QStringLiteral("3000")});
    QCOMPARE(out.value(QStringLiteral("kind")).toString(), QStringLiteral("toy-untied"));
    const QJsonArray scales = out.value(QStringLiteral("scales")).toArray();
    QCOMPARE(scales.size(), 3);
    const double loss1 = scales[1].toObject().value(QStringLiteral("loss")).toDouble();
    for (const auto& value : scales) {
        const QJsonObject p = value.toObject();
        QVERIFY(p.contains(QStringLiteral("loss_encoder_only")));
        QVERIFY(std::abs(p.value(QStringLiteral("loss")).toDouble() / loss1 - 1.0) < 1e-5);
    }
}

void TestCliScale::fashionMlpJson()
{
    if (!hasFashionMnist())
        QSKIP("Fashion-MNIST not installed (Debian package dataset-fashion-mnist)");
    const QJsonObject out = runJson({QStringLiteral("--model"), QStringLiteral("fashion-mlp"), QStringLiteral("--epochs"),
                                     QStringLiteral("1"), QStringLiteral("--scales"), QStringLiteral("0.1,1,10")});
    QCOMPARE(out.value(QStringLiteral("kind")).toString(), QStringLiteral("classifier"));
    QVERIFY(out.value(QStringLiteral("bias_free")).toBool());
    QCOMPARE(out.value(QStringLiteral("features")).toInt(), 784);
    QCOMPARE(out.value(QStringLiteral("dimensions")).toInt(), 128);
    const QJsonArray scales = out.value(QStringLiteral("scales")).toArray();
    QCOMPARE(scales.size(), 3);
    const double accuracy = scales[1].toObject().value(QStringLiteral("accuracy")).toDouble();
    QVERIFY(accuracy > 0.7);
    for (const auto& value : scales) {
        const QJsonObject p = value.toObject();
        for (const char* field : {"accuracy", "predictions_identical", "logit_order_identical", "mean_max_probability",
                                  "mean_kl_from_c1", "max_abs_probability_change", "mean_feature_dimensionality"})
            QVERIFY2(p.contains(QLatin1String(field)), field);
        QVERIFY(p.value(QStringLiteral("predictions_identical")).toBool());
        QCOMPARE(p.value(QStringLiteral("accuracy")).toDouble(), accuracy);
    }
    // The softmax sharpens with c.
    QVERIFY(scales[0].toObject().value(QStringLiteral("mean_max_probability")).toDouble() <
            scales[2].toObject().value(QStringLiteral("mean_max_probability")).toDouble());
    QVERIFY(out.value(QStringLiteral("summary")).toObject().value(QStringLiteral("all_predictions_identical")).toBool());
}

void TestCliScale::matrixFromFile()
{
    // A hand-written safetensors file: one F32 tensor "w" of shape [2, 3].
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("w.safetensors"));
    const QByteArray header = QByteArrayLiteral("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}");
    QByteArray bytes;
    const quint64 length = quint64(header.size());
    for (int k = 0; k < 8; ++k)
        bytes.append(char((length >> (8 * k)) & 0xFF));
    bytes.append(header);
    const float values[6] = {1.0f, 0.0f, -1.0f, 0.0f, 1.0f, 0.0f};
    bytes.append(reinterpret_cast<const char*>(values), sizeof values);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
    file.close();

    const QJsonObject out = runJson({QStringLiteral("--model"), QStringLiteral("file"), QStringLiteral("--weights"), path,
                                     QStringLiteral("--tensor"), QStringLiteral("w"), QStringLiteral("--scales"),
                                     QStringLiteral("0.5,1,3")});
    QCOMPARE(out.value(QStringLiteral("kind")).toString(), QStringLiteral("matrix"));
    QCOMPARE(out.value(QStringLiteral("dimensions")).toInt(), 2);
    QCOMPARE(out.value(QStringLiteral("features")).toInt(), 3);
    const QJsonArray scales = out.value(QStringLiteral("scales")).toArray();
    // ||W||_F^2 = 3 over m = 2 rows: 1.5 at c = 1; an antipodal pair (D = 1/2 each) and a dedicated dimension (1).
    QVERIFY(std::abs(scales[1].toObject().value(QStringLiteral("features_per_dimension")).toDouble() - 1.5) < 1e-9);
    QVERIFY(std::abs(scales[2].toObject().value(QStringLiteral("features_per_dimension")).toDouble() - 13.5) < 1e-5);
    QVERIFY(std::abs(scales[0].toObject().value(QStringLiteral("mean_feature_dimensionality")).toDouble() - 2.0 / 3.0) < 1e-6);

    const CliRun missing = runBinary({QStringLiteral("--model"), QStringLiteral("file"), QStringLiteral("--weights"), path,
                                      QStringLiteral("--tensor"), QStringLiteral("nope")});
    QCOMPARE(missing.exitCode, 2);
    QVERIFY(missing.err.contains("nope"));
}

void TestCliScale::humanSummary()
{
    const CliRun run = runBinary({QStringLiteral("--steps"), QStringLiteral("2000")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains("features/dim"));
    QVERIFY(run.out.contains("slope 2.00"));
    QVERIFY(run.err.isEmpty());
}

void TestCliScale::badArguments_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("unknown model") << QStringList{QStringLiteral("--model"), QStringLiteral("resnet")};
    QTest::newRow("zero scale") << QStringList{QStringLiteral("--scales"), QStringLiteral("0,1")};
    QTest::newRow("negative scale") << QStringList{QStringLiteral("--scales"), QStringLiteral("-1")};
    QTest::newRow("not a number") << QStringList{QStringLiteral("--scales"), QStringLiteral("1,x")};
    QTest::newRow("nan scale") << QStringList{QStringLiteral("--scales"), QStringLiteral("nan")};
    QTest::newRow("zero steps") << QStringList{QStringLiteral("--steps"), QStringLiteral("0")};
    QTest::newRow("unknown option") << QStringList{QStringLiteral("--frobnicate")};
    QTest::newRow("steps for the MLP") << QStringList{QStringLiteral("--model"), QStringLiteral("fashion-mlp"),
                                                      QStringLiteral("--steps"), QStringLiteral("10")};
    QTest::newRow("epochs for a toy") << QStringList{QStringLiteral("--epochs"), QStringLiteral("1")};
    QTest::newRow("file without weights") << QStringList{QStringLiteral("--model"), QStringLiteral("file")};
    QTest::newRow("weights without file") << QStringList{QStringLiteral("--weights"), QStringLiteral("x.safetensors")};
    QTest::newRow("missing file") << QStringList{QStringLiteral("--model"), QStringLiteral("file"),
                                                 QStringLiteral("--weights"), QStringLiteral("/nonexistent/x.safetensors"),
                                                 QStringLiteral("--tensor"), QStringLiteral("w")};
    QTest::newRow("missing data dir") << QStringList{QStringLiteral("--model"), QStringLiteral("fashion-mlp"),
                                                     QStringLiteral("--data-dir"), QStringLiteral("/nonexistent")};
}

void TestCliScale::badArguments()
{
    QFETCH(QStringList, arguments);
    const CliRun run = runBinary(arguments);
    QCOMPARE(run.exitCode, 2);
    QVERIFY(run.out.isEmpty());
    const QList<QByteArray> lines = run.err.trimmed().split('\n');
    QCOMPARE(lines.size(), 1);
    QVERIFY(run.err.startsWith("featurescope scale: "));
}

QTEST_GUILESS_MAIN(TestCliScale)
#include "tst_cli_scale.moc"
