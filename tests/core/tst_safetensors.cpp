#include "common/InputError.h"
#include "io/SafetensorsFile.h"

#include "core/GoldenData.h"
#include "core/ScratchFiles.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include <cstring>

using namespace featurescope;

namespace {

QByteArray header(const QByteArray& json, qint64 declaredLength = -1)
{
    QByteArray out(8, '\0');
    const quint64 n = declaredLength < 0 ? quint64(json.size()) : quint64(declaredLength);
    for (int k = 0; k < 8; ++k)
        out[k] = char((n >> (8 * k)) & 0xFF);
    return out + json;
}

std::vector<float> sampleFloats()
{
    return {0.0f, 1.0f, -2.0f, 0.5f, 1e-3f, -65504.0f, 3.14159265f, 1e-7f, 123456.789f, -0.0f, 7.0f, 0.1f};
}

} // namespace

class TestSafetensors : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_files.isValid()); }

    void roundTrip_data()
    {
        QTest::addColumn<int>("dtype");
        for (DType t : {DType::F32, DType::F16, DType::BF16, DType::F64, DType::I32, DType::I64, DType::U8, DType::I8,
                        DType::I16, DType::U16, DType::U32, DType::U64, DType::Bool})
            QTest::newRow(dtypeSafetensorsName(t).c_str()) << int(t);
    }

    // write -> read gives identical bytes and values for every dtype; a second write gives identical file bytes.
    void roundTrip()
    {
        QFETCH(int, dtype);
        const DType type = DType(dtype);
        const std::vector<float> values = sampleFloats();
        const ArrayData original = ArrayData::fromFloats({3, 4}, values.data(), type);
        const ArrayData scalar = ArrayData::fromFloats({}, values.data() + 6, type);
        const ArrayData empty = ArrayData::fromFloats({0, 5}, values.data(), type);
        const SafetensorsFile::Metadata metadata = {{"format", "pt"}, {"é", "ünïcode ✓"}};
        const QString path = m_files.path(QStringLiteral("rt.safetensors"));
        SafetensorsFile::write(path.toStdString(), {{"a", original}, {"s", scalar}, {"e", empty}}, metadata);
        const SafetensorsFile file = SafetensorsFile::open(path.toStdString());
        QCOMPARE(file.metadata(), metadata);
        QCOMPARE(file.tensors().size(), std::size_t(3));
        const ArrayData back = file.tensor("a");
        QVERIFY(back.identical(original));
        QVERIFY(file.tensor("s").identical(scalar));
        QVERIFY(file.tensor("e").identical(empty));
        QCOMPARE(back.toFloatVector(), original.toFloatVector());
        // The header is padded to a multiple of 8 bytes; writing what was read gives the same bytes.
        QFile raw(path);
        QVERIFY(raw.open(QIODevice::ReadOnly));
        const QByteArray bytes = raw.readAll();
        quint64 n = 0;
        for (int k = 7; k >= 0; --k)
            n = (n << 8) | quint8(bytes[k]);
        QCOMPARE(n % 8, quint64(0));
        const std::string again = SafetensorsFile::serialize({{"a", back}, {"s", file.tensor("s")}, {"e", file.tensor("e")}},
                                                             file.metadata());
        QCOMPARE(QByteArray(again.data(), qsizetype(again.size())), bytes);
        // Float values survive exactly where the type can hold them.
        if (type == DType::F32)
            QCOMPARE(back.toFloatVector(), values);
    }

    void fortranOrderIsWrittenRowMajor()
    {
        // A [2, 3] matrix with rows (1 2 3) and (4 5 6), stored column-major.
        const std::vector<float> columnMajor = {1, 4, 2, 5, 3, 6};
        std::vector<std::uint8_t> bytes(24);
        std::memcpy(bytes.data(), columnMajor.data(), 24);
        const ArrayData fortran(DType::F32, {2, 3}, bytes, true);
        QCOMPARE(fortran.toFloatVector(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
        const std::string image = SafetensorsFile::serialize({{"m", fortran}});
        const SafetensorsFile file =
            SafetensorsFile::fromBuffer("mem", reinterpret_cast<const std::uint8_t*>(image.data()), image.size());
        QVERIFY(!file.tensor("m").fortranOrder());
        QCOMPARE(file.tensor("m").toFloatVector(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
    }

    void golden()
    {
        const QJsonObject expected = expectedJson().value(QStringLiteral("dtypes.safetensors")).toObject();
        const SafetensorsFile file =
            SafetensorsFile::open(FEATURESCOPE_TEST_DATA_DIR "/golden/dtypes.safetensors");
        const QJsonObject meta = expected.value(QStringLiteral("metadata")).toObject();
        QCOMPARE(file.metadata().size(), std::size_t(meta.size()));
        for (auto it = meta.begin(); it != meta.end(); ++it)
            QCOMPARE(QString::fromStdString(file.metadata().at(it.key().toStdString())), it.value().toString());
        const QJsonObject tensors = expected.value(QStringLiteral("tensors")).toObject();
        QCOMPARE(file.tensors().size(), std::size_t(tensors.size()));
        for (auto it = tensors.begin(); it != tensors.end(); ++it) {
            const QJsonObject t = it.value().toObject();
            const ArrayData a = file.tensor(it.key().toStdString());
            QCOMPARE(QString::fromStdString(dtypeSafetensorsName(a.dtype())), t.value(QStringLiteral("dtype")).toString());
            ArrayData::Shape shape;
            for (const auto& d : t.value(QStringLiteral("shape")).toArray())
                shape.push_back(std::uint64_t(d.toInteger()));
            QCOMPARE(a.shape(), shape);
            const std::vector<double> values = a.toDoubleVector();
            const QJsonArray want = t.value(QStringLiteral("values")).toArray();
            QCOMPARE(values.size(), std::size_t(want.size()));
            for (int i = 0; i < want.size(); ++i)
                QCOMPARE(values[std::size_t(i)], want[i].toDouble());
        }
        // The integers at the edges of their ranges, exactly.
        QCOMPARE(file.tensor("i64").toInt64Vector()[2], std::int64_t(9007199254740992));
        QCOMPARE(file.tensor("i32").toInt64Vector()[3], std::int64_t(-2147483648LL));
    }

    void rejects_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("message");
        const QByteArray ok = header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})") + QByteArray(8, 'x');
        QTest::newRow("empty") << QByteArray() << "shorter than the 8-byte header length";
        QTest::newRow("truncated length") << QByteArray("\x10\0\0", 3) << "shorter than the 8-byte header length";
        QTest::newRow("truncated header") << ok.left(20) << "truncated safetensors file: the header needs";
        QTest::newRow("truncated data") << ok.left(ok.size() - 1) << "beyond the data buffer of 7 bytes (truncated file?)";
        QTest::newRow("oversized header") << header("{}", 200'000'000) << "exceeds the 100 MB limit";
        QTest::newRow("huge header length") << header("{}", qint64(0x7FFFFFFFFFFFFFFF)) << "exceeds the 100 MB limit";
        QTest::newRow("not an object") << header("[1, 2]") << "does not start with a JSON object";
        QTest::newRow("not JSON") << header("{\"a\": ") << "not valid JSON";
        QTest::newRow("non-UTF-8 name") << header("{\"\xff\xfe\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}")
                                        << "not valid UTF-8";
        QTest::newRow("non-UTF-8 metadata") << header("{\"__metadata__\":{\"k\":\"\xc3\x28\"}}") << "not valid UTF-8";
        QTest::newRow("negative shape") << header(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})") + QByteArray(8, 'x')
                                        << "negative dimension";
        QTest::newRow("fractional shape") << header(R"({"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,8]}})") + QByteArray(8, 'x')
                                          << "not a non-negative integer";
        QTest::newRow("wrong dtype") << header(R"({"a":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}})") + QByteArray(2, 'x')
                                     << "unsupported dtype 'F8_E4M3'";
        QTest::newRow("dtype not a string") << header(R"({"a":{"dtype":4,"shape":[2],"data_offsets":[0,8]}})") << "no dtype string";
        QTest::newRow("size mismatch") << header(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})") + QByteArray(8, 'x')
                                       << "(12 bytes) but data_offsets [0, 8] span 8 bytes";
        QTest::newRow("overlapping") << header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                               R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})") + QByteArray(12, 'x')
                                     << "tensors 'a' and 'b' overlap";
        QTest::newRow("same range twice") << header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                                    R"("b":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}})") + QByteArray(8, 'x')
                                          << "overlap";
        QTest::newRow("begin after end") << header(R"({"a":{"dtype":"U8","shape":[0],"data_offsets":[5,1]}})") + QByteArray(8, 'x')
                                         << "begin after end";
        QTest::newRow("offset beyond file") << header(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[1000000,1000004]}})")
                                            << "beyond the data buffer";
        QTest::newRow("shape product overflow")
            << header(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}})") + QByteArray(8, 'x')
            << "overflows";
        QTest::newRow("offsets not integers") << header(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,"1"]}})")
                                              << "not a non-negative integer";
        QTest::newRow("duplicate name") << header(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
                                                  R"("a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})") + QByteArray(2, 'x')
                                        << "has the key 'a' twice";
        QTest::newRow("metadata not strings") << header(R"({"__metadata__":{"n":3}})") << "is a number, not a string";
        QTest::newRow("entry not an object") << header(R"({"a":[1]})") << "is an array, not an object";
        QTest::newRow("too many dimensions")
            << header(QByteArray(R"({"a":{"dtype":"U8","shape":[)") + QByteArray("1,").repeated(70) + "1],\"data_offsets\":[0,1]}}")
            << "dimensions (at most 64)";
    }

    void rejects()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, message);
        const QString path = m_files.write(QStringLiteral("bad.safetensors"), bytes);
        try {
            SafetensorsFile::open(path.toStdString());
            QFAIL("accepted a bad file");
        } catch (const InputError& e) {
            const QString text = QString::fromUtf8(e.what());
            QVERIFY2(text.startsWith(path + QStringLiteral(": ")), qPrintable(text));
            QVERIFY2(text.contains(message), qPrintable(text));
            QVERIFY2(!text.contains(QLatin1Char('\n')), qPrintable(text));
        }
    }

    void missingTensorListsTheOthers()
    {
        const std::vector<float> v = {1, 2};
        const std::string image = SafetensorsFile::serialize({{"W_enc", ArrayData::fromFloats({2}, v.data())}});
        const SafetensorsFile file =
            SafetensorsFile::fromBuffer("mem", reinterpret_cast<const std::uint8_t*>(image.data()), image.size());
        try {
            file.tensor("W_dec");
            QFAIL("found a missing tensor");
        } catch (const InputError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("no tensor 'W_dec' (the file holds W_enc)")), e.what());
        }
    }

    void writerRejectsBadNames()
    {
        const std::vector<float> v = {1};
        const ArrayData a = ArrayData::fromFloats({1}, v.data());
        QVERIFY_THROWS_EXCEPTION(InputError, SafetensorsFile::serialize({{"x", a}, {"x", a}}));
        QVERIFY_THROWS_EXCEPTION(InputError, SafetensorsFile::serialize({{"", a}}));
        QVERIFY_THROWS_EXCEPTION(InputError, SafetensorsFile::serialize({{"__metadata__", a}}));
    }

private:
    ScratchFiles m_files;
};

QTEST_GUILESS_MAIN(TestSafetensors)
#include "tst_safetensors.moc"
