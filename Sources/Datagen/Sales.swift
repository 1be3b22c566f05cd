import Columns

/// A small retail data set for the example pipeline: customers, products, and orders spread
/// over several CSV files, with the flaws real exports have (unknown statuses, missing
/// discounts, a few orders of non-positive quantity).
public struct SalesGenerator: Sendable {
    public let orders: Int
    public let seed: UInt64

    public init(orders: Int, seed: UInt64 = 2026) throws(BatonError) {
        guard orders > 0 else { throw BatonError(.invalidInput, "--orders must be positive") }
        self.orders = orders
        self.seed = seed
    }

    public var customers: Int { max(10, orders / 50) }
    public static let products = 500

    static let countries = ["DE", "FR", "NL", "BE", "ES", "IT", "PL", "SE", "AT", "DK", "PT", "IE"]
    static let segments = ["consumer", "corporate", "home_office"]
    static let categories = ["books", "electronics", "garden", "grocery", "home", "sports", "toys", "fashion"]
    /// 2025-01-01 as days since 1970-01-01.
    static let firstDay: Int32 = 20089

    public static let customerSchema = try! Schema([
        Field("customer_id", .int64), Field("name", .string), Field("country", .string), Field("segment", .string),
        Field("signup_date", .date),
    ])
    public static let productSchema = try! Schema([
        Field("product_id", .int64), Field("category", .string), Field("unit_price", .float64),
    ])
    public static let orderSchema = try! Schema([
        Field("order_id", .int64), Field("customer_id", .int64), Field("product_id", .int64), Field("order_date", .date),
        Field("quantity", .int64), Field("status", .string), Field("discount", .float64),
    ])

    public func customerTable() -> [Column] {
        var rng = Xoshiro256(seed: seed, stream: 1)
        let n = customers
        // Countries are skewed: the first ones hold most customers.
        let country = (0..<n).map { _ in Int32(min(rng.below(12), rng.below(12))) }
        return [
            Column(.int64, .int64((1...n).map(Int64.init))),
            Column(.string, .string(StringArray((1...n).map { "Customer \($0)" }))),
            Column(.string, .dictionary(codes: country, values: StringArray(Self.countries))),
            Column(.string, .dictionary(codes: (0..<n).map { _ in Int32(rng.below(3)) }, values: StringArray(Self.segments))),
            Column(.date, .int32((0..<n).map { _ in Self.firstDay - 1500 + Int32(rng.below(1500)) })),
        ]
    }

    public func productTable() -> [Column] {
        var rng = Xoshiro256(seed: seed, stream: 2)
        let n = Self.products
        return [
            Column(.int64, .int64((1...n).map(Int64.init))),
            Column(.string, .dictionary(codes: (0..<n).map { _ in Int32(rng.below(8)) }, values: StringArray(Self.categories))),
            Column(.float64, .float64((0..<n).map { _ in ((2 + rng.unit() * 198) * 100).rounded() / 100 })),
        ]
    }

    /// Orders `range` (1-based ids), for one of the order files.
    public func orderTable(_ range: Range<Int>) -> [Column] {
        var rng = Xoshiro256(seed: seed &+ UInt64(range.lowerBound), stream: 3)
        let n = range.count
        var quantity: [Int64] = []
        var status: [Int32] = []
        var discount: [Double] = []
        var discountValid: [Bool] = []
        for _ in 0..<n {
            let q = Int64(rng.below(10)) + 1
            quantity.append(rng.below(1000) == 0 ? 0 : q)
            let s = rng.below(100)
            status.append(s < 90 ? 0 : s < 97 ? 1 : 2)
            let d = rng.below(10)
            discountValid.append(d < 4)
            discount.append(d < 4 ? Double(5 * (1 + rng.below(6))) / 100 : 0)
        }
        return [
            Column(.int64, .int64(range.map(Int64.init))),
            Column(.int64, .int64((0..<n).map { _ in Int64(rng.below(UInt64(customers))) + 1 })),
            Column(.int64, .int64((0..<n).map { _ in Int64(rng.below(UInt64(Self.products))) + 1 })),
            Column(.date, .int32((0..<n).map { _ in Self.firstDay + Int32(rng.below(365)) })),
            Column(.int64, .int64(quantity)),
            Column(.string, .dictionary(codes: status, values: StringArray(["completed", "cancelled", "returned"]))),
            Column(.float64, .float64(discount), validity: Bitmap(discountValid)),
        ]
    }
}
