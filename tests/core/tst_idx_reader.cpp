#include "common/InputError.h"
#include "io/IdxReader.h"
#include "mlp/ImageDataset.h"

#include "core/ScratchFiles.h"

#include <QByteArray>
#include <QFile>
#include <QTest>

#include <zlib.h>

using namespace featurescope;

namespace {

QByteArray bigEndian(quint32 value)
{
    QByteArray b(4, '\0');
    b[0] = char(value >> 24);
    b[1] = char(value >> 16);
    b[2] = char(value >> 8);
    b[3] = char(value);
    return b;
}

QByteArray idx(quint32 magic, const QList<quint32>& dims, int payloadBytes)
{
    QByteArray data = bigEndian(magic);
    for (quint32 d : dims)
        data += bigEndian(d);
    for (int k = 0; k < payloadBytes; ++k)
        data += char(k * 7 + 1);
    return data;
}

QByteArray gzip(const QByteArray& data, const QString& path)
{
    gzFile f = gzopen(QFile::encodeName(path).constData(), "wb");
    gzwrite(f, data.constData(), unsigned(data.size()));
    gzclose(f);
    QFile file(path);
    file.open(QIODevice::ReadOnly);
    return file.readAll();
}

} // namespace

class TestIdxReader : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_files.isValid()); }

    void reads_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("gzipped");
        QTest::addColumn<QList<quint32>>("dims");
        const QByteArray images = idx(0x00000803, {2, 3, 4}, 24);
        QTest::newRow("images") << images << false << QList<quint32>{2, 3, 4};
        QTest::newRow("images gzipped") << images << true << QList<quint32>{2, 3, 4};
        QTest::newRow("labels") << idx(0x00000801, {5}, 5) << false << QList<quint32>{5};
        QTest::newRow("labels gzipped") << idx(0x00000801, {5}, 5) << true << QList<quint32>{5};
        QTest::newRow("four dimensions") << idx(0x00000804, {1, 2, 1, 3}, 6) << false << QList<quint32>{1, 2, 1, 3};
    }

    void reads()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, gzipped);
        QFETCH(QList<quint32>, dims);
        QString path = m_files.path(QStringLiteral("ok.idx"));
        if (gzipped)
            gzip(bytes, path += QStringLiteral(".gz"));
        else
            m_files.write(QStringLiteral("ok.idx"), bytes);
        const IdxArray array = IdxReader::read(path.toStdString());
        QCOMPARE(QList<quint32>(array.dims.begin(), array.dims.end()), dims);
        const QByteArray payload = bytes.mid(4 + 4 * dims.size());
        QCOMPARE(QByteArray(reinterpret_cast<const char*>(array.data.data()), qsizetype(array.data.size())), payload);
        if (dims.size() == 3) {
            const IdxImages images = IdxReader::readImages(path.toStdString());
            QCOMPARE(images.count, 2);
            QCOMPARE(images.rows, 3);
            QCOMPARE(images.cols, 4);
        }
    }

    void rejects_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("gzipMode"); // 0 plain, 1 gzipped, 2 gzipped then cut in half
        QTest::addColumn<QString>("reader"); // any, images, labels
        QTest::addColumn<QString>("message");
        const QByteArray images = idx(0x00000803, {2, 3, 4}, 24);
        QTest::newRow("empty file") << QByteArray() << 0 << "any" << "shorter than the 4-byte magic";
        QTest::newRow("bad magic") << QByteArray("PK\x03\x04rest of a zip file") << 0 << "any" << "bad magic number 0x504B0304";
        QTest::newRow("float elements") << idx(0x00000D03, {1, 1, 1}, 4) << 0 << "any" << "unsupported IDX element type 0x0D";
        QTest::newRow("no dimensions") << idx(0x00000800, {}, 0) << 0 << "any" << "0 dimensions";
        QTest::newRow("zero dimension") << idx(0x00000803, {0, 28, 28}, 0) << 0 << "any" << "dimension 1 is zero";
        QTest::newRow("truncated header") << idx(0x00000803, {2, 3}, 0) << 0 << "any" << "truncated file: the IDX header (dimension 3 of 3)";
        QTest::newRow("truncated payload") << images.left(images.size() - 4) << 0 << "any" << "holds only 20";
        QTest::newRow("truncated gzip payload") << images.left(images.size() - 4) << 1 << "any" << "only 20 present";
        QTest::newRow("gzip stream cut") << idx(0x00000803, {20, 28, 28}, 20 * 28 * 28) << 2 << "any" << "truncated";
        QTest::newRow("trailing data") << images + QByteArray("xyz") << 0 << "any" << "more data than its IDX header declares";
        QTest::newRow("trailing data gzipped") << images + QByteArray("xyz") << 1 << "any" << "more data than its IDX header declares";
        QTest::newRow("claims terabytes") << idx(0x00000803, {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu}, 8) << 0 << "any" << "claims more than 4 GiB";
        QTest::newRow("claims more than the file") << idx(0x00000803, {60000, 28, 28}, 100) << 0 << "any" << "claims 47040000 bytes";
        QTest::newRow("gzip claims more than it can hold") << idx(0x00000803, {1000000, 28, 28}, 10) << 1 << "any" << "cannot hold that many";
        QTest::newRow("labels given to the image reader") << idx(0x00000801, {5}, 5) << 0 << "images" << "not an IDX image file (magic 0x00000801";
        QTest::newRow("images given to the label reader") << images << 0 << "labels" << "not an IDX label file (magic 0x00000803";
        QTest::newRow("corrupt gzip") << QByteArray("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage-not-deflate", 29) << 0 << "any" << "";
    }

    void rejects()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, gzipMode);
        QFETCH(QString, reader);
        QFETCH(QString, message);
        const QString name = QStringLiteral("bad-%1.idx").arg(QString::fromLatin1(QTest::currentDataTag())).replace(QLatin1Char(' '), QLatin1Char('-'));
        QString path = m_files.path(name);
        if (gzipMode == 0) {
            m_files.write(name, bytes);
        } else {
            const QByteArray compressed = gzip(bytes, path);
            if (gzipMode == 2)
                m_files.write(name, compressed.left(compressed.size() / 2));
        }
        try {
            if (reader == QLatin1String("images"))
                IdxReader::readImages(path.toStdString());
            else if (reader == QLatin1String("labels"))
                IdxReader::readLabels(path.toStdString());
            else
                IdxReader::read(path.toStdString());
            QFAIL("no error");
        } catch (const InputError& error) {
            const QString what = QString::fromStdString(error.what());
            QVERIFY2(what.startsWith(path + QStringLiteral(": ")), qPrintable(what)); // names the file
            QVERIFY2(what.contains(message), qPrintable(what));
            QVERIFY2(!what.contains(QLatin1Char('\n')), "one line");
        }
    }

    void missingFile()
    {
        QVERIFY_THROWS_EXCEPTION(InputError, IdxReader::read(m_files.path(QStringLiteral("nope")).toStdString()));
        QVERIFY_THROWS_EXCEPTION(InputError, IdxReader::read(m_files.path().toStdString())); // a directory
        QVERIFY_THROWS_EXCEPTION(InputError, ImageDataset::loadSplit(m_files.path().toStdString(), "t10k"));
    }

    void imageDatasetChecksCounts()
    {
        const QString images = m_files.write(QStringLiteral("x-images-idx3-ubyte"), idx(0x00000803, {2, 2, 2}, 8));
        const QString labels = m_files.write(QStringLiteral("x-labels-idx1-ubyte"), idx(0x00000801, {3}, 3));
        QVERIFY(ImageDataset::hasSplit(m_files.path().toStdString(), "x"));
        try {
            ImageDataset::loadSplit(m_files.path().toStdString(), "x");
            QFAIL("no error");
        } catch (const InputError& error) {
            QVERIFY2(QString::fromStdString(error.what()).contains(QStringLiteral("3 labels for 2 images")), error.what());
        }
        m_files.write(QStringLiteral("x-labels-idx1-ubyte"), idx(0x00000801, {2}, 2));
        const ImageDataset set = ImageDataset::loadSplit(m_files.path().toStdString(), "x");
        QCOMPARE(set.count, 2);
        QCOMPARE(set.pixelCount(), 4);
    }

    void fashionMnistTestSet()
    {
        const std::string dir = qEnvironmentVariableIsSet("FEATURESCOPE_FASHION_MNIST_DIR")
                                    ? qEnvironmentVariable("FEATURESCOPE_FASHION_MNIST_DIR").toStdString()
                                    : ImageDataset::defaultFashionMnistDirectory();
        if (!ImageDataset::hasSplit(dir, "t10k"))
            QSKIP("Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)");
        const ImageDataset set = ImageDataset::loadSplit(dir, "t10k");
        QCOMPARE(set.count, 10000);
        QCOMPARE(set.rows, 28);
        QCOMPARE(set.cols, 28);
        QCOMPARE(set.classCount, 10);
    }

private:
    ScratchFiles m_files;
};

QTEST_GUILESS_MAIN(TestIdxReader)
#include "tst_idx_reader.moc"
