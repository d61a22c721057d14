#pragma once

// Shared by the plot tests: showing a widget at a size (laid out, exposed) and seeded random weights.

#include <Eigen/Core>

#include <QApplication>
#include <QTest>
#include <QWidget>

#include <cmath>
#include <random>

inline void showAt(QWidget& widget, const QSize& size)
{
    widget.resize(size);
    widget.show();
    QVERIFY(QTest::qWaitForWindowExposed(&widget));
    widget.resize(size);
    QApplication::sendPostedEvents();
}

// m x n, entries N(0, 1/m): columns of about unit norm.
inline Eigen::MatrixXf randomMatrix(int m, int n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f / std::sqrt(float(m)));
    Eigen::MatrixXf W(m, n);
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < m; ++i)
            W(i, j) = normal(rng);
    return W;
}
