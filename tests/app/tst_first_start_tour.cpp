// The first-start tour: its pages exist and name the key shortcuts, Back/Next/Skip navigate, every way out is
// reported once (so the main window can keep a dismissed tour away), and the text is readable in every theme.
#include "FirstStartTour.h"
#include "common/Theme.h"

#include <QApplication>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

class TestFirstStartTour : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pagesExist();
    void navigation();
    void everyWayOutIsReported_data();
    void everyWayOutIsReported();
    void readableInEveryTheme_data();
    void readableInEveryTheme();
};

void TestFirstStartTour::pagesExist()
{
    FirstStartTour tour;
    QVERIFY(!tour.isModal());
    QVERIFY(tour.pageCount() >= 4 && tour.pageCount() <= 5);
    QString all;
    for (int i = 0; i < tour.pageCount(); ++i) {
        QVERIFY(!tour.pageTitle(i).isEmpty());
        QVERIFY(!tour.pageText(i).isEmpty());
        all += tour.pageTitle(i) + tour.pageText(i);
    }
    for (const char* topic : {"Superposition", "Feature activations", "Energy", "Train", "Pause", "Ctrl+E", "F11", "Ctrl+S"})
        QVERIFY2(all.contains(QLatin1String(topic)), topic);
}

void TestFirstStartTour::navigation()
{
    FirstStartTour tour;
    QCOMPARE(tour.currentPage(), 0);
    tour.back();
    QCOMPARE(tour.currentPage(), 0);
    for (int i = 1; i < tour.pageCount(); ++i) {
        tour.next();
        QCOMPARE(tour.currentPage(), i);
    }
    tour.back();
    QCOMPARE(tour.currentPage(), tour.pageCount() - 2);
}

void TestFirstStartTour::everyWayOutIsReported_data()
{
    QTest::addColumn<QString>("way");
    QTest::addColumn<int>("result");
    QTest::newRow("finish") << QStringLiteral("finish") << int(QDialog::Accepted);
    QTest::newRow("skip") << QStringLiteral("skip") << int(QDialog::Rejected);
    QTest::newRow("escape") << QStringLiteral("escape") << int(QDialog::Rejected);
    QTest::newRow("close button") << QStringLiteral("close") << int(QDialog::Rejected);
}

void TestFirstStartTour::everyWayOutIsReported()
{
    QFETCH(QString, way);
    QFETCH(int, result);
    FirstStartTour tour;
    QSignalSpy spy(&tour, &FirstStartTour::tourClosed);
    tour.show();
    if (way == QLatin1String("finish")) {
        for (int i = 0; i < tour.pageCount(); ++i)
            tour.next();
    } else if (way == QLatin1String("skip")) {
        tour.skip();
    } else if (way == QLatin1String("escape")) {
        QTest::keyClick(&tour, Qt::Key_Escape);
    } else {
        tour.close();
    }
    QCOMPARE(tour.result(), result);
    QVERIFY(!tour.isVisible());
    QCOMPARE(spy.count(), 1);
    // Opened again (Help > Tour), its next close is reported too.
    tour.show();
    tour.skip();
    QCOMPARE(spy.count(), 2);
}

void TestFirstStartTour::readableInEveryTheme_data()
{
    QTest::addColumn<QString>("theme");
    for (const char* name : {"light", "dark", "presentation"})
        QTest::newRow(name) << QString::fromLatin1(name);
}

void TestFirstStartTour::readableInEveryTheme()
{
    QFETCH(QString, theme);
    Theme::apply(*qApp, *Theme::fromName(theme));
    FirstStartTour tour;
    tour.resize(560, 340);
    const QImage image = tour.grab().toImage();
    QVERIFY(!image.isNull());
    auto* text = tour.findChild<QLabel*>(QStringLiteral("tourText"));
    QVERIFY(text);
    const QColor fg = text->palette().color(QPalette::WindowText);
    const QColor bg = tour.palette().color(QPalette::Window);
    QVERIFY2(std::abs(fg.lightness() - bg.lightness()) > 150,
             qPrintable(theme + QStringLiteral(": ") + fg.name() + QStringLiteral(" on ") + bg.name()));
    // The rendered dialog really has the theme's background.
    QVERIFY(std::abs(image.pixelColor(2, 2).lightness() - bg.lightness()) < 30);
    if (qEnvironmentVariableIsSet("FEATURESCOPE_TOUR_SCREENSHOTS"))
        image.save(qEnvironmentVariable("FEATURESCOPE_TOUR_SCREENSHOTS") + QStringLiteral("/tour-") + theme + QStringLiteral(".png"));
}

QTEST_MAIN(TestFirstStartTour)
#include "tst_first_start_tour.moc"
