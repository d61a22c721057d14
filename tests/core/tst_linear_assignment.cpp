#include "common/InputError.h"
#include "math/LinearAssignment.h"
#include "math/Rng.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

using namespace featurescope;

namespace {

// The best summed cost over every matching of the short side of `cost` into its long side, by trying every
// permutation of the long side (n, m ≤ 7: at most 5040 orders).
double bruteForce(const Eigen::MatrixXd& cost, bool maximise)
{
    const Eigen::Index n = cost.rows(), m = cost.cols();
    const bool rowsShort = n <= m;
    std::vector<int> order(std::size_t(rowsShort ? m : n));
    std::iota(order.begin(), order.end(), 0);
    double best = maximise ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    do {
        double sum = 0.0;
        for (Eigen::Index t = 0; t < std::min(n, m); ++t)
            sum += rowsShort ? cost(t, order[std::size_t(t)]) : cost(order[std::size_t(t)], t);
        best = maximise ? std::max(best, sum) : std::min(best, sum);
    } while (std::next_permutation(order.begin(), order.end()));
    return best;
}

// `a` is a matching of `cost` (min(n, m) rows matched to distinct columns, the rest −1) whose cost is the sum of its
// pairs.
void verifyMatching(const LinearAssignment& a, const Eigen::MatrixXd& cost)
{
    QCOMPARE(Eigen::Index(a.rowToColumn.size()), cost.rows());
    std::vector<int> seen(std::size_t(cost.cols()), 0);
    int matched = 0;
    double sum = 0.0;
    for (std::size_t i = 0; i < a.rowToColumn.size(); ++i) {
        const int j = a.rowToColumn[i];
        if (j < 0)
            continue;
        QVERIFY(j < cost.cols());
        QCOMPARE(seen[std::size_t(j)]++, 0);
        ++matched;
        sum += cost(Eigen::Index(i), j);
    }
    QCOMPARE(Eigen::Index(matched), std::min(cost.rows(), cost.cols()));
    QVERIFY(std::abs(sum - a.cost) < 1e-9);
}

} // namespace

class TestLinearAssignment : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Against scipy.optimize.linear_sum_assignment's optimal costs (golden values computed with scipy 1.10.1,
    // matrices rounded to 3 decimals), square and rectangular both ways.
    void matchesScipy()
    {
        struct Case {
            int rows, cols;
            std::vector<double> entries; // row-major
            double minimum, maximum;
        };
        const std::vector<Case> cases{
            {6, 6, {1.771, 2.263, 0.378, -0.821, 1.286, -0.415, 1.875, 0.381, 0.828, 2.904, 2.126, 2.375, 1.22, 2.766, -0.927, 2.557, 0.559, -0.073, 1.138, 2.779, 0.324, 2.634, 0.869, 2.869, 2.057, 2.133, 0.446, 1.351, -0.006, 2.201, 0.034, 1.69, -0.699, -0.013, 0.432, -0.312}, -0.547000, 11.677000},
            {5, 8, {0.041, -0.193, -0.841, 0.371, 0.873, 0.669, 2.598, -0.645, 1.496, 0.395, -0.896, 2.092, 0.688, 2.905, 2.098, 2.475, 1.264, 0.358, 2.418, 0.653, 2.485, 2.653, 0.417, 1.901, 2.255, 2.991, 0.83, -0.197, 0.033, 0.527, -0.714, 1.772, -0.773, 0.86, 2.992, 0.613, -0.158, 0.635, 0.045, -0.192}, -2.670000, 13.971000},
            {9, 4, {0.043, 0.225, 0.829, 0.132, 1.556, 2.429, -0.903, 0.861, 1.466, 0.9, 1.644, -0.179, 2.74, 2.984, 2.316, 1.338, 2.332, 1.692, 2.462, 0.996, 0.129, 1.232, 0.982, -0.161, 1.692, 1.923, 0.056, -0.345, 1.325, 0.836, 1.899, 1.976, -0.923, -0.158, 2.466, 1.689}, -1.946000, 9.758000},
            {12, 12, {2.16, 1.977, 1.376, 0.294, 0.143, 1.483, 1.471, 2.674, 1.503, 1.266, -0.933, 1.641, 2.516, 1.562, 1.079, 0.353, 2.975, 0.175, 2.125, 0.978, 1.268, -0.899, 2.218, 0.794, 2.752, 2.826, 2.609, 1.742, -0.292, -0.203, 0.508, -0.299, 2.792, 0.769, 1.826, -0.353, 1.294, -0.621, 0.015, 2.262, 0.725, 2.241, 1.074, 0.994, 0.818, 0.496, 1.158, 0.147, 2.362, -0.04, 1.916, 0.493, 1.177, -0.408, 2.709, 0.333, 2.845, -0.341, 0.296, 1.509, 1.232, 2.426, -0.728, 0.762, 1.182, 1.118, 1.234, 0.589, 2.948, -0.232, 0.261, 0.805, 2.844, -0.001, -0.086, 1.138, 1.122, 0.916, 1.102, 2.151, 2.163, 2.507, 0.482, 1.693, 1.469, -0.13, 1.008, 0.716, 2.895, 1.362, 2.256, 0.835, 2.347, 2.634, -0.384, 1.422, 1.529, 1.129, 2.413, 0.696, 2.476, 2.225, 1.698, -0.207, 0.321, 0.423, 2.804, 2.512, -0.966, 2.789, 1.499, 2.719, 0.392, -0.222, 1.068, 2.551, 0.954, 1.143, -0.753, 0.459, 1.492, 0.858, 1.232, 2.19, 2.288, -0.513, 0.216, -0.465, 1.817, 1.369, 0.716, 2.449, 2.901, 0.937, 1.732, 2.004, 1.86, 0.294, 2.959, -0.255, 0.534, 2.767, 0.482, 2.186}, -3.082000, 32.179000},
        };
        for (const Case& c : cases) {
            Eigen::MatrixXd cost(c.rows, c.cols);
            for (int i = 0; i < c.rows; ++i)
                for (int j = 0; j < c.cols; ++j)
                    cost(i, j) = c.entries[std::size_t(i * c.cols + j)];
            const LinearAssignment low = LinearAssignment::minimise(cost);
            const LinearAssignment high = LinearAssignment::maximise(cost);
            QVERIFY2(std::abs(low.cost - c.minimum) < 1e-9, qPrintable(QStringLiteral("%1 vs %2").arg(low.cost).arg(c.minimum)));
            QVERIFY2(std::abs(high.cost - c.maximum) < 1e-9, qPrintable(QStringLiteral("%1 vs %2").arg(high.cost).arg(c.maximum)));
            verifyMatching(low, cost);
            verifyMatching(high, cost);
        }
    }

    // Against brute force over every matching of random matrices up to 7 x 7, square and rectangular both ways,
    // with integer costs (many ties) and with continuous ones.
    void matchesBruteForce()
    {
        Rng rng(15);
        int rectangular = 0;
        for (int trial = 0; trial < 400; ++trial) {
            const int n = 1 + int(rng.below(7)), m = 1 + int(rng.below(7));
            rectangular += n != m ? 1 : 0;
            Eigen::MatrixXd cost(n, m);
            const bool ties = trial % 2 == 0;
            for (Eigen::Index k = 0; k < cost.size(); ++k)
                cost.data()[k] = ties ? std::round(rng.uniform() * 10.0) : rng.normal();
            const LinearAssignment low = LinearAssignment::minimise(cost);
            const LinearAssignment high = LinearAssignment::maximise(cost);
            verifyMatching(low, cost);
            verifyMatching(high, cost);
            const double bestLow = bruteForce(cost, false), bestHigh = bruteForce(cost, true);
            QVERIFY2(std::abs(low.cost - bestLow) < 1e-9,
                     qPrintable(QStringLiteral("%1x%2: %3 vs brute force %4").arg(n).arg(m).arg(low.cost).arg(bestLow)));
            QVERIFY2(std::abs(high.cost - bestHigh) < 1e-9,
                     qPrintable(QStringLiteral("%1x%2: %3 vs brute force %4").arg(n).arg(m).arg(high.cost).arg(bestHigh)));
        }
        QVERIFY(rectangular > 200);
    }

    // The obvious cases: a permutation matrix is found exactly, and an empty or non-finite matrix is handled.
    void edgeCases()
    {
        const std::vector<int> permutation{3, 0, 4, 1, 2};
        Eigen::MatrixXd score = Eigen::MatrixXd::Zero(5, 5);
        for (int i = 0; i < 5; ++i)
            score(i, permutation[std::size_t(i)]) = 1.0;
        const LinearAssignment a = LinearAssignment::maximise(score);
        QCOMPARE(a.rowToColumn, permutation);
        QCOMPARE(a.cost, 5.0);
        QVERIFY(LinearAssignment::minimise(Eigen::MatrixXd(0, 3)).rowToColumn.empty());
        QCOMPARE(LinearAssignment::minimise(Eigen::MatrixXd(2, 0)).rowToColumn, std::vector<int>({-1, -1}));
        QVERIFY_THROWS_EXCEPTION(InputError, LinearAssignment::minimise(Eigen::MatrixXd::Constant(2, 2, std::nan(""))));
        Eigen::MatrixXd infinite = Eigen::MatrixXd::Zero(2, 3);
        infinite(1, 2) = std::numeric_limits<double>::infinity();
        QVERIFY_THROWS_EXCEPTION(InputError, LinearAssignment::maximise(infinite));
    }
};

QTEST_GUILESS_MAIN(TestLinearAssignment)
#include "tst_linear_assignment.moc"
