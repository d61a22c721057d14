// The first-start tour: its pages exist and name the key shortcuts, Back/Next/Skip navigate, "Don't show again" is
// reported on every way out, and the text is readable in every theme.
#include "FirstStartTour.h"
#include "common/Theme.h"

#include <QApplication>
#include <QCheckBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

class TestFirstStartTour : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pagesExist();
    void navigation();
    void dontShowAgainIsReported_data();
    void dontShowAgainIsReported();
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
    for (const char* topic : {"Superposition", "Features", "Energy", "Train", "Pause", "Ctrl+E", "F11", "Ctrl+S"})
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

void TestFirstStartTour::dontShowAgainIsReported_data()
{
    QTest::addColumn<bool>("checked");
    QTest::addColumn<bool>("finish"); // finish through every page, else Skip
    QTest::newRow("finish, don't show") << true << true;
    QTest::newRow("finish, show again") << false << true;
    QTest::newRow("skip, don't show") << true << false;
    QTest::newRow("skip, show again") << false << false;
}

void TestFirstStartTour::dontShowAgainIsReported()
{
    QFETCH(bool, checked);
    QFETCH(bool, finish);
    FirstStartTour tour;
    QSignalSpy spy(&tour, &FirstStartTour::tourClosed);
    tour.show();
    if (checked)
        tour.findChild<QCheckBox*>(QStringLiteral("dontShowAgain"))->click(); // as the user would
    QCOMPARE(tour.dontShowAgain(), checked);
    if (finish) {
        for (int i = 0; i < tour.pageCount(); ++i)
            tour.next();
        QCOMPARE(tour.result(), int(QDialog::Accepted));
    } else {
        tour.skip();
        QCOMPARE(tour.result(), int(QDialog::Rejected));
    }
    QVERIFY(!tour.isVisible());
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toBool(), checked || finish); // a finished tour stays dismissed
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
