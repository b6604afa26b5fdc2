extension Optional {
    /// The wrapped value, or `make()` when nil; setting stores the new value. Used to build a
    /// schema node's keyword groups one keyword at a time.
    subscript(creating make: @autoclosure () -> Wrapped) -> Wrapped {
        get { self ?? make() }
        set { self = newValue }
    }
}
